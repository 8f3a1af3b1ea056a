"""Run a command as a child process and read its peak memory: its whole process tree's at once."""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import psutil

from pipelines.settings import REPO_ROOT


@dataclass(frozen=True)
class Finished:
    returncode: int
    # The larger of the kernel's peak for any one process of the tree (the child, or the largest
    # descendant it waited for, such as dbt) and the tree's summed RSS, sampled by TreePeak:
    # processes working side by side (ingest's readers) hold memory at the same time.
    peak_rss_mib: float


def run_measured(cmd: list[str], log: Path) -> Finished:
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
        with TreePeak(proc.pid) as tree:
            _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    return Finished(proc.returncode, max(usage.ru_maxrss * 1024, tree.peak_bytes) / 2**20)  # ru_maxrss is in KiB


class TreePeak:
    """The largest summed RSS of a process and all its descendants, sampled every `seconds` on a
    thread while the `with` block runs (a peak shorter than that can be missed)."""

    def __init__(self, pid: int, seconds: float = 0.2):
        self.pid, self.seconds, self.peak_bytes = pid, seconds, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._done.wait(self.seconds):
            total = 0
            try:
                for process in [root, *root.children(recursive=True)]:
                    try:
                        total += process.memory_info().rss
                    except psutil.NoSuchProcess:  # ended between listing and reading
                        pass
            except psutil.NoSuchProcess:  # the root itself ended
                return
            self.peak_bytes = max(self.peak_bytes, total)
