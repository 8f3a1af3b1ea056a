"""The landing zone: which files are new, and ingesting them into the work database."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from pathlib import Path

import duckdb

from pipelines.settings import SOURCES, Paths

from .loader import FileOutcome, ingest_file, landing_key, reprocess_file


# Transfer tools write under a hidden name (.name.part, rsync's .name.XXXXXX) and rename when done.
# A hidden name unchanged for this long is no transfer: it is read like any other file.
IN_TRANSFER_SECONDS = 3600


def landing_files(paths: Paths, sources: Iterable[str] = SOURCES) -> list[tuple[str, Path]]:
    """Every entry of the landing folders (links and oddities too: they are quarantined, not skipped)
    but files still in transfer, in order of arrival, so that of two deliveries of the same bytes
    the later one is the duplicate."""
    found = []
    for source in sources:
        folder = paths.landing / source
        if folder.is_dir():
            found += [(source, p) for p in folder.iterdir() if not _in_transfer(p)]
    return sorted(found, key=lambda item: (item[1].lstat().st_mtime, item[0], item[1].name))


def _in_transfer(path: Path) -> bool:
    return path.name.startswith(".") and time.time() - path.lstat().st_mtime < IN_TRANSFER_SECONDS


def unseen(con: duckdb.DuckDBPyConnection, files: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Files whose (path, size, mtime) has not been seen before: cheap, no hashing."""
    seen = {
        (path, size, mtime)
        for path, size, mtime in con.execute("SELECT landing_path, size, mtime FROM quality.arrivals").fetchall()
    }
    out = []
    for source, path in files:
        info = path.lstat()
        key = (landing_key(path), info.st_size, dt.datetime.fromtimestamp(info.st_mtime).replace(microsecond=0))
        if key not in seen:
            out.append((source, path))
    return out


class IngestError(RuntimeError):
    """Files the pipeline itself failed on (a bug, a full disk): not recorded, so a re-run retries them."""


def ingest(con: duckdb.DuckDBPyConnection, paths: Paths, files: list[tuple[str, Path]], run_id: str) -> list[FileOutcome]:
    return _each(files, lambda item: ingest_file(con, paths.archive, item[1], item[0], run_id),
                 lambda item: f"{item[0]}/{item[1].name}")


def reprocess(con: duckdb.DuckDBPyConnection, paths: Paths, shas: list[str], run_id: str) -> list[FileOutcome]:
    """Read archived files again; what they loaded before is replaced in the same transaction."""
    return _each(shas, lambda sha: reprocess_file(con, paths.archive, sha, run_id), lambda sha: f"file {sha[:12]}")


def files_of_month(con: duckdb.DuckDBPyConnection, month: str) -> list[str]:
    """Checksums of the archived files whose as-of or export date falls in `month` (YYYY-MM)."""
    return [sha for (sha,) in con.execute(
        "SELECT file_sha FROM quality.files WHERE strftime(as_of, '%Y-%m') = ? AND archive_path IS NOT NULL "
        "ORDER BY as_of, arrived_at", [month]).fetchall()]


def _each(items, process, describe) -> list[FileOutcome]:
    outcomes, failures = [], []
    for item in items:
        try:
            outcomes.append(process(item))
        except Exception as exc:  # one file's failure must not stop the others
            failures.append(f"{describe(item)}: {type(exc).__name__}: {exc}")
    if failures:
        raise IngestError("could not process " + "; ".join(failures))
    return outcomes
