"""One export through the loader, for files too large to try in a whole bench (a province's):

    python -m benchmarks.one_file <file> [<file> ...]

Each file is ingested into a scratch work database of its own (deleted afterwards) by the real
loader, as `ingest_landing` does: archive, read, contract, write. Prints, per file, the rows read,
loaded and rejected, wall and CPU seconds (CPU counts DuckDB's threads too), rows read per second,
and the process's peak RSS so far. Great Expectations is imported before the clock starts: a run
pays that once, not per file. Set ANJU_INGEST_CHUNK_ROWS to try another chunk size, TMPDIR for
where the scratch database goes.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipelines.ingest import contracts, loader, store


def main(files: list[str]) -> int:
    contracts._context()
    for name in files:
        path = Path(name)
        scratch = Path(tempfile.mkdtemp(prefix="anju-one-file-"))  # TMPDIR: room for the file's archive copy and rows
        try:
            con = store.connect(scratch / "work.duckdb")
            wall, cpu = time.perf_counter(), time.process_time()
            o = loader.ingest_file(con, scratch / "archive", path, path.parent.name, "benchmark")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            con.close()
        finally:
            shutil.rmtree(scratch)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
        print(f"{path.name}: {o.status}{' (' + o.reason + ')' if o.reason else ''}; read {o.rows_read:,}, "
              f"loaded {o.rows_loaded:,}, rejected {o.rows_rejected:,}; {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"{o.rows_read / wall:,.0f} rows/s; peak RSS so far {peak:.2f} GiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
