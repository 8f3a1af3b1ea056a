"""The landing zone: which files are new, and ingesting them into the work database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import duckdb

from pipelines.settings import SOURCES, Paths

from .loader import FileOutcome, ingest_file


def landing_files(paths: Paths, sources: Iterable[str] = SOURCES) -> list[tuple[str, Path]]:
    """Every entry of the landing folders (links and oddities too: they are quarantined, not skipped)."""
    found = []
    for source in sources:
        folder = paths.landing / source
        if folder.is_dir():
            found += [(source, p) for p in sorted(folder.iterdir()) if not p.name.startswith(".")]
    return found


def unseen(con: duckdb.DuckDBPyConnection, files: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Files whose (path, size, mtime) has not been seen before: cheap, no hashing."""
    seen = {
        (path, size, mtime)
        for path, size, mtime in con.execute("SELECT landing_path, size, mtime FROM quality.arrivals").fetchall()
    }
    out = []
    for source, path in files:
        info = path.lstat()
        key = (str(path), info.st_size, dt.datetime.fromtimestamp(info.st_mtime).replace(microsecond=0))
        if key not in seen:
            out.append((source, path))
    return out


class IngestError(RuntimeError):
    """Files the pipeline itself failed on (a bug, a full disk): not recorded, so a re-run retries them."""


def ingest(con: duckdb.DuckDBPyConnection, paths: Paths, files: list[tuple[str, Path]], run_id: str) -> list[FileOutcome]:
    outcomes, failures = [], []
    for source, path in files:
        try:
            outcomes.append(ingest_file(con, paths.archive, path, source, run_id))
        except Exception as exc:  # one file's failure must not stop the others
            failures.append(f"{source}/{path.name}: {type(exc).__name__}: {exc}")
    if failures:
        raise IngestError("could not process " + "; ".join(failures))
    return outcomes
