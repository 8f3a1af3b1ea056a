"""python -m sample_data.bench --scale small|city|province [--out DIR]: generation seconds and peak RSS."""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from .generate import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["small", "city", "province"], default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="where to write (default: a temporary directory, removed after)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anju-bench-") as tmp:
        out = args.out or Path(tmp)
        started = time.perf_counter()
        summary = generate(out, scale=args.scale, seed=args.seed)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and not p.is_symlink())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    print(json.dumps({"scale": args.scale, "seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
                      "peak_rss_mib": round(peak_kib / 1024),
                      "bytes_written": size, "files": summary["files_written"], "rows_per_kind": summary["rows_per_kind"]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
