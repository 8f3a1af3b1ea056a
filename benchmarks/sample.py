"""The bench's input: the generator's sample, split into what the full run gets and the month after.

The sample lives in <bench home>/sample and is generated once per scale and seed. The pipeline's
own ANJU_HOME (<bench home>/pipeline) is laid anew for every bench: its landing zone holds hard
links to the sample's files (same bytes, same mtime, which the pipeline reads as arrival time).
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


@dataclass(frozen=True)
class Sample:
    landing: Path
    generated_s: float | None  # None: reused from an earlier bench


def ensure_sample(home: Path, scale: str, seed: int) -> Sample:
    """The generator's landing zone for (scale, seed), generated unless this bench made it before."""
    folder = home / "sample"
    stamp = folder / "bench-sample.json"
    wanted = {"scale": scale, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return Sample(folder / "landing", None)
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    # A process of its own: the generator's memory is not the bench's.
    subprocess.run([sys.executable, "-m", "pipelines.cli", "generate", "--scale", scale, "--seed", str(seed), "--out", str(folder)],
                   check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps(wanted))
    return Sample(folder / "landing", seconds)


def arrival_month(path: Path) -> str:
    return time.strftime("%Y-%m", time.gmtime(path.lstat().st_mtime))


def split_newest_month(landing: Path) -> tuple[list[Path], list[Path], str]:
    """(files of the full run, files of the newest arrival month, that month): the month's exports
    are held back from the full build and arrive afterwards, as the next month would."""
    files = sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("."))
    newest = max(arrival_month(p) for p in files)
    return ([p for p in files if arrival_month(p) != newest], [p for p in files if arrival_month(p) == newest], newest)


def deliver(files: list[Path], sample_landing: Path, landing: Path) -> None:
    """Put files into a landing zone as hard links (copies across file systems), mtime kept."""
    for src in files:
        dst = landing / src.relative_to(sample_landing)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
