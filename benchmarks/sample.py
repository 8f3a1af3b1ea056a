"""The sample city as the bench and the drills receive it: the generator's files, split into what
the first build gets and the month that arrives after it.

The sample lives in <home>/sample and is generated once per scale, seed and number of months
(`sample.json` records them). A pipeline home's landing zone holds hard links to the sample's files
(same bytes, same mtime, which the pipeline reads as the arrival time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import REPO_ROOT

MONTHS = 24  # the generator's default


@dataclass(frozen=True)
class Sample:
    landing: Path
    generated_s: float | None  # None: reused from an earlier bench or drill


def ensure_sample(home: Path, scale: str, seed: int, months: int = MONTHS) -> Sample:
    """The generator's landing zone for (scale, seed, months), generated unless it was made before."""
    folder = home / "sample"
    stamp = folder / "sample.json"
    wanted = {"scale": scale, "seed": seed, "months": months}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return Sample(folder / "landing", None)
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    # A process of its own: the generator's memory is not the caller's.
    subprocess.run([sys.executable, "-m", "pipelines.cli", "generate", "--scale", scale, "--seed", str(seed),
                    "--months", str(months), "--out", str(folder)],
                   check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps(wanted))
    return Sample(folder / "landing", seconds)


def arrival_month(path: Path) -> str:
    return time.strftime("%Y-%m", time.gmtime(path.lstat().st_mtime))


def split_newest_month(landing: Path) -> tuple[list[Path], list[Path], str]:
    """(files of the first build, files of the newest arrival month, that month), each in order of
    arrival: the month's exports are held back and arrive afterwards, as the next month would."""
    files = sorted((p for p in landing.rglob("*") if p.is_file() and not p.name.startswith(".")),
                   key=lambda p: (p.lstat().st_mtime, str(p)))
    newest = max(arrival_month(p) for p in files)
    return ([p for p in files if arrival_month(p) != newest], [p for p in files if arrival_month(p) == newest], newest)


def deliver(files: list[Path], sample_landing: Path, landing: Path) -> None:
    """Put files into a landing zone as hard links (copies across file systems), mtime kept."""
    for src in files:
        link(src, landing / src.relative_to(sample_landing))


def link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:  # another file system
        shutil.copy2(src, dst)
