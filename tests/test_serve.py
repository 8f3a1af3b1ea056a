"""`anju serve`, as the demo runs it: Dagster (webserver + daemon) and Superset up, then Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

import requests

from tests.conftest import ANJU


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_serve_brings_up_dagster_and_superset_and_ctrl_c_stops_them(published_warehouse):
    dagster_port, superset_port = _free_port(), _free_port()
    proc = subprocess.Popen(
        [ANJU, "serve", "--dagster-port", str(dagster_port), "--superset-port", str(superset_port)],
        env={**os.environ, "ANJU_HOME": str(published_warehouse.home)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    printed = []
    try:
        for line in proc.stdout:  # serve prints the URLs once both answer, or exits with the reason
            printed.append(line)
            if "Ctrl-C stops everything." in line:
                break
        output = "".join(printed)
        assert f"Dagster:  http://127.0.0.1:{dagster_port}" in output, output
        assert "password in" in output and "district_" in output
        assert requests.get(f"http://127.0.0.1:{superset_port}/health", timeout=10).ok
        assert requests.get(f"http://127.0.0.1:{dagster_port}/server_info", timeout=10).ok
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    assert not _listening(dagster_port) and not _listening(superset_port)
    leftovers = subprocess.run(["pgrep", "-f", f"dagster.*-p {dagster_port}|bind=127.0.0.1:{superset_port}"], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", leftovers.stdout
