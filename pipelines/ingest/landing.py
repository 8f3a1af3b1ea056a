"""The landing zone: which files are new, and ingesting them into the work database."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from pipelines import pseudonym
from pipelines.settings import SOURCES, Paths

from . import loader
from .loader import Delivery, FileOutcome, landing_key


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
    return _in_order(con, files, lambda item: loader.receive(paths.archive, item[1], item[0], run_id),
                     lambda item: f"{item[0]}/{item[1].name}", [_size(path) for _, path in files])


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:  # gone since it was listed: receiving it reports that, in its turn
        return 0


def reprocess(con: duckdb.DuckDBPyConnection, paths: Paths, shas: list[str], run_id: str) -> list[FileOutcome]:
    """Read archived files again; what they loaded before is replaced in the same transaction."""
    return _in_order(con, shas, lambda sha: loader.received_again(con, paths.archive, sha, run_id),
                     lambda sha: f"file {sha[:12]}")


def files_of_month(con: duckdb.DuckDBPyConnection, month: str) -> list[str]:
    """Checksums of the archived files whose as-of or export date falls in `month` (YYYY-MM)."""
    return [sha for (sha,) in con.execute(
        "SELECT file_sha FROM quality.files WHERE strftime(as_of, '%Y-%m') = ? AND archive_path IS NOT NULL "
        "ORDER BY as_of, arrived_at", [month]).fetchall()]


def reading_processes(files: int) -> int:
    """Worker processes that read files ahead: one per core (ANJU_INGEST_PROCESSES to change it);
    none, so files are read in this process, for a single file or ANJU_INGEST_PROCESSES=1. Each
    holds one file's chunk in memory at a time."""
    wanted = min(int(os.environ.get("ANJU_INGEST_PROCESSES", 0)) or len(os.sched_getaffinity(0)), files)
    return wanted if wanted > 1 else 0


def reading_order(sizes: list[int], processes: int) -> list[int]:
    """In which order a batch's files go to the reading processes: the `processes - 1` largest
    first, the others in order of arrival.

    Files are written in order of arrival. A large file read in its turn keeps one worker busy after
    the others are done, and the writer waits for it (the city's month: the 花名册, 10th of 12 files
    and half of the bytes, was read last). Read first, it overlaps the smaller files, while one
    worker reads in order of arrival and keeps the writer fed. Equal sizes keep their order, so of
    two deliveries of the same bytes the earlier is read."""
    first = sorted(range(len(sizes)), key=lambda i: -sizes[i])[: max(processes - 1, 0)]
    return first + [i for i in range(len(sizes)) if i not in first]


def _in_order(con, items: list, receive: Callable[[object], Delivery], describe,
              sizes: list[int] | None = None) -> list[FileOutcome]:
    """Each item received, read and loaded, one transaction per file, in the order given.

    Reading (parsing, normalising, the contract) is most of ingest's time and holds Python's lock,
    so files are read ahead by worker processes, each into a scratch database of its own, while
    this process copies the earlier ones into the work database, its one writer. With the items'
    `sizes`, the largest are read first (reading_order). One file's failure does not stop the
    others; the failures are raised together at the end."""
    scratch = loader.scratch_dir(con)
    shutil.rmtree(scratch, ignore_errors=True)  # what an interrupted run left: the work database has one writer
    processes = reading_processes(len(items))
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) if processes else None
    if pool:
        pseudonym.ensure_key()  # made here, not by two workers at once
    reading: set[str] = set()
    submitted = []

    def start(item):
        """Receive the item and hand its file to a worker, unless it is a duplicate or not to be read."""
        try:
            delivery = receive(item)
        except Exception as exc:  # reported with the item, in its turn
            return item, exc, None
        future = None
        if pool and delivery.refusal is None and delivery.sha not in reading and not loader.already_loaded(con, delivery):
            reading.add(delivery.sha)  # the same bytes twice in one batch: the second is the duplicate
            future = pool.submit(loader.read_into, loader.scratch_path(scratch, delivery), delivery)
            submitted.append(future)
        return item, delivery, future

    outcomes, failures = [], []
    # Each position once. By the turn of the i-th item, i + processes + 1 have been started: with at
    # most processes - 1 taken ahead of their turn, that includes the i-th.
    order = iter(reading_order(sizes, processes) if pool and sizes else range(len(items)))
    ahead: dict[int, tuple] = {}  # by position in `items`: received, and being read if a worker took it

    def start_next() -> None:
        if (i := next(order, None)) is not None:
            ahead[i] = start(items[i])

    for _ in range(processes + 1):
        start_next()
    try:
        for i, item in enumerate(items):
            _, delivery, future = ahead.pop(i)
            start_next()  # keep every worker busy while this file is written
            try:
                if isinstance(delivery, Exception):
                    raise delivery
                outcomes.append(loader.load(con, delivery, future and (lambda _scratch_db: future.result())))
            except Exception as exc:  # one file's failure must not stop the others
                failures.append(f"{describe(item)}: {type(exc).__name__}: {exc}")
    except BaseException:
        if pool:  # interrupted: do not wait for the files being read (a province's take minutes)
            for process in list(pool._processes.values()):  # Python 3.14's terminate_workers()
                process.terminate()
        raise
    finally:
        if pool:
            # Idle workers take ~0.8 s to exit (Python tearing down GX and pandas): not waited for. One
            # still reading (its file failed in this process first) is, so that it leaves no scratch file.
            pool.shutdown(wait=not all(f.done() for f in submitted), cancel_futures=True)
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        raise IngestError("could not process " + "; ".join(failures))
    return outcomes
