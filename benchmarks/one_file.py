"""Exports through the loader, for files too large to try in a whole bench (a province's):

    python -m benchmarks.one_file <file> [<file> ...]
    python -m benchmarks.one_file --together <file> [<file> ...]

Each file is ingested into a scratch work database of its own (deleted afterwards) by the real
loader in this process, as `ingest_landing` does with a single file: archive, read, contract,
write. Prints, per file, the rows read, loaded and rejected, wall and CPU seconds (CPU counts
DuckDB's threads too), rows read per second, and the process's peak RSS so far. Great
Expectations is imported before the clock starts: a run pays that once, not per file.

With --together the files are ingested as one landing zone, as `ingest_landing` receives them:
read ahead by the worker processes (ANJU_INGEST_PROCESSES), written in the order given. Prints
each file's outcome, then the batch's wall time, rows per second and the peak RSS of this
process and its workers summed (sampled every 0.2 s).

Set ANJU_INGEST_CHUNK_ROWS to try another chunk size, TMPDIR for where the scratch database goes.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.child import TreePeak
from benchmarks.sample import link
from pipelines.ingest import contracts, landing, loader, store
from pipelines.settings import Paths


def main(args: list[str]) -> int:
    if args[:1] == ["--together"]:
        return together([Path(a) for a in args[1:]])
    contracts._context()
    for name in args:
        path = Path(name)
        with _scratch_home() as home:
            con = store.connect(home.work_db)
            wall, cpu = time.perf_counter(), time.process_time()
            o = loader.ingest_file(con, home.archive, path, path.parent.name, "benchmark")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            con.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
        print(f"{_outcome(o)}; {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"{o.rows_read / wall:,.0f} rows/s; peak RSS so far {peak:.2f} GiB", flush=True)
    return 0


def together(files: list[Path]) -> int:
    with _scratch_home() as home:
        received = []
        for path in files:
            landed = home.landing / path.parent.name / path.name
            link(path, landed)
            received.append((path.parent.name, landed))
        con = store.connect(home.work_db)
        with TreePeak(os.getpid()) as tree:
            wall = time.perf_counter()
            outcomes = landing.ingest(con, home, received, "benchmark")
            wall = time.perf_counter() - wall
        con.close()
    for o in outcomes:
        print(_outcome(o))
    rows = sum(o.rows_read for o in outcomes)
    print(f"together, {landing.reading_processes(len(files))} reading processes: {rows:,} rows, {wall:.1f} s wall, "
          f"{rows / wall:,.0f} rows/s; peak RSS of the process tree {tree.peak_bytes / 2**30:.2f} GiB", flush=True)
    return 0


def _outcome(o: loader.FileOutcome) -> str:
    return (f"{o.file_name}: {o.status}{' (' + o.reason + ')' if o.reason else ''}; read {o.rows_read:,}, "
            f"loaded {o.rows_loaded:,}, rejected {o.rows_rejected:,}")


@contextmanager
def _scratch_home() -> Iterator[Paths]:
    """A throwaway home (TMPDIR: room for the files' archive copies and rows)."""
    root = Path(tempfile.mkdtemp(prefix="anju-one-file-"))
    try:
        yield Paths(root)
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
