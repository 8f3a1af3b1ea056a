"""Run a command as a child process and read its peak memory: its whole process tree's at once."""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import psutil

from pipelines.settings import REPO_ROOT

SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Finished:
    returncode: int
    # The larger of the kernel's peak for any one process of the tree (the child, or the largest
    # descendant it waited for, such as dbt) and the tree's summed RSS, sampled every SAMPLE_SECONDS:
    # processes working side by side (ingest's readers) hold memory at the same time.
    peak_rss_mib: float


def run_measured(cmd: list[str], log: Path) -> Finished:
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()
        tree_peak = [0]
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, done, tree_peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    return Finished(proc.returncode, max(usage.ru_maxrss * 1024, tree_peak[0]) / 2**20)  # ru_maxrss is in KiB


def _sample_tree(pid: int, done: threading.Event, peak: list[int]) -> None:
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not done.wait(SAMPLE_SECONDS):
        total = 0
        try:
            for process in [root, *root.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.NoSuchProcess:  # ended between listing and reading
                    pass
        except psutil.NoSuchProcess:  # the child itself ended; wait4 reaps it
            return
        peak[0] = max(peak[0], total)
