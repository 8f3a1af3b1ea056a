"""The baseline: DuckDB alone reads every input file once into a table of its own, and nothing else.

    python -m benchmarks.baseline <result.json> <database> <file>...

CSV through `read_csv`, XLSX through the excel extension's `read_xlsx`; every column as VARCHAR (no
type inference, no checks), blank rows kept. A CSV is tried as UTF-8, then as GB18030 (the
encodings extension; GBK is a subset), then as GB18030 skipping the rows DuckDB cannot decode
(`ignore_errors`), which is how DuckDB alone gets through a GBK file holding a few bad bytes.
Both extensions come from their PyPI wheels (installing them from DuckDB's site needs the network).

Only each file's successful read is timed (plus the final checkpoint): the failed attempts are
reported apart, so the baseline is never inflated by guessing encodings. A file DuckDB cannot read
at all is counted and named. Run in a process of its own for its peak memory.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.child import run_measured

CSV_ATTEMPTS = (
    ("CSV, UTF-8", "all_varchar = true"),
    ("CSV, GB18030", "all_varchar = true, encoding = 'gb18030'"),
    ("CSV, GB18030, undecodable rows skipped", "all_varchar = true, encoding = 'gb18030', ignore_errors = true"),
)
XLSX = ("XLSX", "header = false, all_varchar = true, stop_at_empty = false")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> tuple[str, float, float]:
    """(how it was read, seconds of the read that worked, seconds of the attempts that failed)."""
    function, attempts = ("read_xlsx", [XLSX]) if path.suffix.lower() == ".xlsx" else ("read_csv", CSV_ATTEMPTS)
    failed = 0.0
    for i, (how, options) in enumerate(attempts):
        started = time.perf_counter()
        try:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM {function}({_quoted(path)}, {options})")
            return how, time.perf_counter() - started, failed
        except duckdb.Error:
            failed += time.perf_counter() - started
            if i == len(attempts) - 1:
                raise
    raise AssertionError("unreachable")


def bare_read(database: Path, files: list[Path]) -> dict:
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    try:
        import duckdb_extensions

        for extension in ("encodings", "excel"):
            duckdb_extensions.import_extension(extension, con=con)
            con.execute(f"LOAD {extension}")
        unreadable: dict[str, str] = {}
        by_how: dict[str, dict] = {}
        reading = failed_attempts = 0.0
        for i, path in enumerate(files):
            try:
                how, seconds, failed = _read(con, f"file_{i}", path)
            except duckdb.Error as exc:
                unreadable[str(path)] = str(exc).splitlines()[0][:300]
                continue
            reading += seconds
            failed_attempts += failed
            group = by_how.setdefault(how, {"files": 0, "bytes": 0, "seconds": 0.0})
            group["files"] += 1
            group["bytes"] += path.stat().st_size
            group["seconds"] += seconds
        started = time.perf_counter()
        con.execute("CHECKPOINT")  # on disk, as the pipeline's work database is
        checkpoint = time.perf_counter() - started
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
    finally:
        con.close()
    return {"wall_s": reading + checkpoint, "checkpoint_s": checkpoint, "failed_attempts_s": failed_attempts,
            "files": len(files), "files_read": len(tables), "rows": rows, "bytes": sum(p.stat().st_size for p in files),
            "by_how": by_how, "unreadable": unreadable}


if __name__ == "__main__":
    result_file, database, *paths = sys.argv[1:]
    figures = bare_read(Path(database), [Path(p) for p in paths])
    Path(result_file).write_text(json.dumps(figures, ensure_ascii=False, indent=1))


def run_baseline(files: list[Path], workdir: Path) -> dict:
    """The bare read in a child process; its figures plus the child's peak memory."""
    result_file = workdir / "baseline.json"
    result_file.unlink(missing_ok=True)
    finished = run_measured([sys.executable, "-m", "benchmarks.baseline", str(result_file), str(workdir / "baseline.duckdb"),
                             *map(str, files)], workdir / "baseline.log")
    if finished.returncode != 0:
        raise RuntimeError(f"the baseline failed (exit {finished.returncode}); see {workdir / 'baseline.log'}")
    (workdir / "baseline.duckdb").unlink()  # a copy of the inputs, no longer needed
    return {**json.loads(result_file.read_text()), "peak_rss_mib": finished.peak_rss_mib}
