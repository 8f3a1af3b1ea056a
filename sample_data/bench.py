"""python -m sample_data.bench --scale small|city|province [--seed N] [--out DIR]: generation time, peak memory, write speed.

Prints one JSON line: wall and CPU seconds, peak RSS, the bytes written (landing and truth) and MB/s, and
a baseline: the same number of bytes written plainly to the same directory (one buffer over and over,
nothing to compute). `io_ratio` is the generator's MB/s over the baseline's: 1.0 would be I/O speed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from .generate import generate

BLOCK = 8 << 20


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def written_bytes(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and not p.is_symlink())


def plain_write_seconds(directory: Path, size: int) -> float:
    """Seconds to write `size` bytes to a new file in `directory` (then removed), as `dd bs=8M` would."""
    block = os.urandom(BLOCK)
    path = directory / ".bench-baseline"
    started = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for offset in range(0, size, BLOCK):
            os.write(fd, block[: min(BLOCK, size - offset)])
    finally:
        os.close(fd)
    seconds = time.perf_counter() - started
    path.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["small", "city", "province"], default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="where to write (default: a temporary directory, removed after)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anju-bench-") as tmp:
        out = args.out or Path(tmp)
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        summary = generate(out, scale=args.scale, seed=args.seed)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before  # the generator's own work: not the imports, not the baseline
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        size = written_bytes(out)
        baseline = plain_write_seconds(out, size)
    mb = size / 1e6
    print(json.dumps({
        "scale": args.scale, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_rss_mib": round(peak_mib),
        "bytes_written": size, "files": summary["files_written"], "rows": sum(summary["rows_per_kind"].values()),
        "mb_per_s": round(mb / seconds, 1), "mb_per_cpu_s": round(mb / cpu, 1),
        "baseline_mb_per_s": round(mb / baseline, 1), "io_ratio": round(baseline / seconds, 4),
        "rows_per_kind": summary["rows_per_kind"],
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
