"""Child processes of `anju serve` and the tests: each in its own process group, ended as a group."""

from __future__ import annotations

import os
import signal
import subprocess


def stop(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM the server's process group, SIGKILL it if still alive after `grace` seconds.

    The group, not just the gunicorn master: its workers must not outlive it."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except ProcessLookupError:  # the whole group is already gone
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
