"""Run a command as a child process and read its resource usage as the kernel counted it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import REPO_ROOT


@dataclass(frozen=True)
class Finished:
    returncode: int
    peak_rss_mib: float  # the child's, or that of the largest descendant it waited for (dbt, say)


def run_measured(cmd: list[str], log: Path) -> Finished:
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    return Finished(proc.returncode, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux
