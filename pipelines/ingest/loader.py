"""One landing file → archive → read → contract → raw rows, rejects and a quality record.

A file is read, checked and written into a scratch database of its own (in a worker process when
there are several: see landing.py); then everything it changes in the work database is copied
and recorded in one transaction, after its bytes are archived, so an interrupted run leaves
either all of a file or none of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import os
import shutil
import stat
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import contracts
from .asof import stated_date
from .header import HEADER_SEARCH_ROWS, HeaderMatch, find_header
from .kinds import Kind
from .reader import MAX_COLUMNS, MAX_FIELD_CHARS, TOTAL_ROW, UNDECODABLE, Chunk, Sheet, Unreadable, read_sheets, sniff_format
from . import store
from .store import FILE_ROW_TABLES, raw_columns
from .values import read_column, sql_columns

ROW = contracts.ROW
MAX_UNDECODABLE_SHARE = 0.01


@dataclass
class FileOutcome:
    source: str
    file_name: str
    file_sha: str
    status: str  # loaded | quarantined | duplicate
    kind: str | None = None
    reason: str | None = None
    as_of: dt.date | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    warnings: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class _Parsed:
    """What reading a file found; its rows are written chunk by chunk as they are read."""

    fmt: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    kind: Kind | None = None
    as_of: dt.date | None = None
    as_of_from: str = ""
    contract: list[contracts.SuiteResult] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    warnings: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)


class Quarantine(Exception):
    def __init__(self, reason: str, parsed: _Parsed):
        super().__init__(reason)
        self.parsed = parsed


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_key(sha: str) -> str:
    """Where a file's original bytes are kept, relative to the archive (as quality.files records it)."""
    return f"{sha[:2]}/{sha}"


def archive_file(path: Path, archive_dir: Path, sha: str) -> Path:
    """Copy the original bytes to archive/<sha[:2]>/<sha> (atomically, once)."""
    target = archive_dir / archive_key(sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".partial")
        shutil.copyfile(path, tmp)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    return target


def readable(name: str) -> str:
    """A file name as text that can be stored and printed. Names are bytes on Linux; one unpacked
    from a Windows zip is often GBK, so bytes that are not UTF-8 are read as GB18030."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", "replace")


def landing_key(path: Path) -> str:
    """How quality.arrivals names a landing entry: <source folder>/<name>, readable, the same on every
    run, and relative, so that an ANJU_HOME moved or restored elsewhere still knows its files."""
    return f"{readable(path.parent.name)}/{readable(path.name)}"


@dataclass(frozen=True)
class Delivery:
    """A file received and archived (or refused), waiting to be read and written in arrival order."""

    source: str
    file_name: str
    sha: str
    arrived_at: dt.datetime
    arrival: dict  # its row of quality.arrivals
    archived: str | None  # archive_key(sha), or None for an entry that was not read
    read_from: Path | None  # the archived copy of its bytes
    refusal: str | None = None  # why the entry is not read at all (a link, a folder)
    replace: bool = False  # reprocessing: what the file loaded before is replaced


def receive(archive_dir: Path, path: Path, source: str, run_id: str) -> Delivery:
    """A landing entry's arrival: its checksum, and its bytes archived (once)."""
    now = dt.datetime.now().replace(microsecond=0)
    info = os.lstat(path)
    # To the microsecond: of two files stating the same date, the later arrival wins (EXPORTS.md),
    # also when both were copied in within one second. quality.arrivals keeps whole seconds, as the
    # landing scan (landing.unseen) compares them.
    arrived_at = dt.datetime.fromtimestamp(info.st_mtime)
    name = readable(path.name)
    arrival = dict(source=source, landing_path=landing_key(path), file_name=name, size=info.st_size,
                   mtime=arrived_at.replace(microsecond=0), seen_at=now, run_id=run_id)
    if not stat.S_ISREG(info.st_mode):
        # Never followed: a link could point anywhere on the machine.
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
        sha = "path:" + hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()
        return Delivery(source, name, sha, arrived_at, arrival, None, None, refusal=f"{what}: not read")
    sha = sha256_of(path)
    # Read from the archived copy: the bytes checksummed, even if the landing file is overwritten
    # while the files before it are read.
    archived = archive_file(path, archive_dir, sha)
    return Delivery(source, name, sha, arrived_at, arrival, archive_key(sha), archived)


def received_again(con: duckdb.DuckDBPyConnection, archive_dir: Path, sha: str, run_id: str) -> Delivery:
    """An archived file to read again (after a contract or normaliser change), replacing what it loaded."""
    found = con.execute(
        "SELECT source, file_name, archive_path, arrived_at FROM quality.files WHERE file_sha = ?", [sha]
    ).fetchone()
    if not found or not found[2]:
        raise KeyError(f"no archived file with checksum {sha}")
    source, file_name, archived, arrived_at = found
    arrival = dict(source=source, landing_path=f"archive/{archived}", file_name=file_name,
                   size=os.path.getsize(archive_dir / archived), mtime=arrived_at.replace(microsecond=0),
                   seen_at=dt.datetime.now().replace(microsecond=0), run_id=run_id)
    return Delivery(source, file_name, sha, arrived_at, arrival, archived, archive_dir / archived, replace=True)


def already_loaded(con: duckdb.DuckDBPyConnection, delivery: Delivery) -> bool:
    """Whether the delivery's bytes are a duplicate of a file received before: they are not read again."""
    return not delivery.replace and con.execute("SELECT 1 FROM quality.files WHERE file_sha = ?", [delivery.sha]).fetchone() is not None


def scratch_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Where files are read into scratch databases, beside the work database `con` holds."""
    (work_db,) = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(work_db).parent / "ingest-scratch"


def scratch_path(scratch: Path, delivery: Delivery) -> Path:
    """One per delivery: two deliveries of the same bytes in one batch are not read into one file."""
    entry = hashlib.sha256(delivery.arrival["landing_path"].encode("utf-8", "surrogateescape")).hexdigest()
    return scratch / f"{delivery.sha}-{entry[:16]}.duckdb"


Read = tuple["_Parsed", str | None]  # what reading found, and why the file is quarantined (None: it loads)


def read_into(scratch_db: Path, delivery: Delivery) -> Read:
    """Read, check and write one file's rows into a scratch database of its own. Runs in a worker
    process while the main one writes earlier files: nothing here touches the work database."""
    scratch_db.parent.mkdir(parents=True, exist_ok=True)
    scratch_db.unlink(missing_ok=True)
    with duckdb.connect(str(scratch_db)) as con:
        try:
            return _parse(con, delivery.read_from, delivery.file_name, delivery.sha, delivery.arrived_at), None
        except Quarantine as quarantine:
            return quarantine.parsed, str(quarantine)


def ingest_file(con: duckdb.DuckDBPyConnection, archive_dir: Path, path: Path, source: str, run_id: str) -> FileOutcome:
    """One landing file, read in this process."""
    return load(con, receive(archive_dir, path, source, run_id))


def reprocess_file(con: duckdb.DuckDBPyConnection, archive_dir: Path, sha: str, run_id: str) -> FileOutcome:
    """One archived file read again in this process; what it loaded before is replaced."""
    return load(con, received_again(con, archive_dir, sha, run_id))


def load(con: duckdb.DuckDBPyConnection, delivery: Delivery, read: Callable[[Path], Read] | None = None) -> FileOutcome:
    """Everything a file changes, in one transaction: its rows, copied from its scratch database,
    then its record. `read` gives what reading the file into the scratch database found (a worker's
    result); by default the file is read here. A quarantined file leaves none of its rows."""
    d = delivery
    if d.refusal is None and already_loaded(con, d):
        _insert(con, "quality.arrivals", pd.DataFrame([{**d.arrival, "file_sha": d.sha, "outcome": "duplicate"}]))
        first = con.execute("SELECT file_name FROM quality.files WHERE file_sha = ?", [d.sha]).fetchone()[0]
        return FileOutcome(d.source, d.file_name, d.sha, "duplicate", reason=f"same bytes as {first}, already received")
    now = dt.datetime.now().replace(microsecond=0)
    scratch_db = scratch_path(scratch_dir(con), d)
    try:
        if d.refusal is not None:
            parsed, reason = _Parsed(), d.refusal
        else:
            parsed, reason = read(scratch_db) if read else read_into(scratch_db, d)
        with _attached(con, scratch_db if reason is None else None):
            con.begin()
            try:
                if d.replace:
                    _forget(con, d.sha)
                if reason is None:
                    _copy_rows(con, parsed.kind)
                outcome = _record(con, now, d, parsed if reason is None else Quarantine(reason, parsed))
                con.commit()
            except BaseException:
                con.rollback()
                raise
    finally:
        scratch_db.unlink(missing_ok=True)
        scratch_db.with_name(scratch_db.name + ".wal").unlink(missing_ok=True)
    return outcome


@contextmanager
def _attached(con: duckdb.DuckDBPyConnection, scratch_db: Path | None):
    """The scratch database attached as `scratch` (read-only), if there is one. DuckDB attaches and
    detaches outside a transaction only."""
    if scratch_db is None:
        yield
        return
    con.execute(f"ATTACH '{str(scratch_db).replace(chr(39), chr(39) * 2)}' AS scratch (READ_ONLY)")
    try:
        yield
    finally:
        con.execute("DETACH scratch")


def _copy_rows(con: duckdb.DuckDBPyConnection, kind: Kind) -> None:
    """The attached scratch database's rows into the work database, one statement per table:
    DuckDB writes a large INSERT … SELECT to disk as it goes, where many small appends stay in memory."""
    for table in (f"raw.{kind.name}", *FILE_ROW_TABLES):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM scratch.{table}")


# ---------------------------------------------------------------- parsing


def _parse(con: duckdb.DuckDBPyConnection, path: Path, file_name: str, sha: str, arrived_at: dt.datetime) -> _Parsed:
    """Read a file, check its rows against the contract and write them, chunk by chunk, into the
    scratch database `con`; raise Quarantine if the file as a whole cannot be taken."""
    parsed = _Parsed()
    try:
        parsed.fmt = sniff_format(path, file_name)
        sheet, first, match = _find_header(read_sheets(path, parsed.fmt), parsed)
        parsed.sheet, parsed.encoding, parsed.kind = sheet.name, sheet.encoding, match.kind
        if match.missing_required:
            names = "、".join(c.header for c in match.missing_required)
            raise Quarantine(f"required column missing: {names} (file kind {match.kind.label})", parsed)

        titles = first.records[: match.row_index]
        parsed.as_of, parsed.as_of_from = stated_date(file_name, titles)
        if parsed.as_of is None:
            parsed.as_of, parsed.as_of_from = arrived_at.date(), "arrival time"
        parsed.rows_read = len(titles)

        body = Chunk(first.start + match.row_index + 1, first.records[match.row_index + 1 :],
                     [(i, w) for i, w in first.warnings if i >= match.row_index], first.last)
        store.ensure_file_tables(con, match.kind)
        rows = _FileRows(con, parsed, match, sheet.name, sha, file_name, arrived_at)
        try:
            for chunk in itertools.chain([body], sheet.chunks):
                rows.load(chunk)
            rows.finish()
        finally:
            rows.close()
    except Unreadable as exc:
        raise Quarantine(str(exc), parsed) from None
    return parsed


def _find_header(sheets: list[Sheet], parsed: _Parsed) -> tuple[Sheet, Chunk, HeaderMatch]:
    """The first sheet with a known header among its first rows, its first chunk and the match."""
    firsts = []
    for sheet in sheets:
        first = next(sheet.chunks, Chunk(0, []))
        top = [r[: _filled_width(r)] for r in first.records[:HEADER_SEARCH_ROWS]]
        wide = {i for i, r in enumerate(top) if len(r) > MAX_COLUMNS}
        # Matched on at most MAX_COLUMNS + 1 cells a row: a row of 100,000 fields would take minutes.
        match = find_header([r[: MAX_COLUMNS + 1] for r in top])
        if (match.row_index in wide) if match else wide:
            raise Quarantine(f"header of more than {MAX_COLUMNS} columns", parsed)
        if match:  # a wide data row among the first is rejected with the other rows (_cut_wide_rows)
            return sheet, first, match
        firsts.append(first)
    if all(not any(c and c.strip() for chunk in itertools.chain([first], sheet.chunks) for r in chunk.records for c in r)
           for sheet, first in zip(sheets, firsts)):
        raise Quarantine("empty file: no cells", parsed)
    raise Quarantine("no header row of a known file kind in the first 10 rows (only title rows, or an unknown layout)", parsed)


def _filled_width(record: list[str | None]) -> int:
    """The record's fields up to its last one that is not blank: trailing empty fields are no columns."""
    end = len(record)
    while end and not (record[end - 1] or "").strip():
        end -= 1
    return end


class _FileRows:
    """One file's body, checked and written a chunk at a time: what is judged on the whole file
    (the share of undecodable rows, duplicates, the contract's thresholds) is summed across chunks."""

    def __init__(self, con, parsed: _Parsed, match: HeaderMatch, sheet_name, sha: str, file_name: str, arrived_at):
        self.con, self.parsed, self.match = con, parsed, match
        self.sheet_name, self.sha, self.file_name, self.arrived_at = sheet_name, sha, file_name, arrived_at
        self.kept = self.undecodable = 0
        self.contract: list[list[contracts.SuiteResult]] = []
        self.seen = _SeenRows()
        self.chunks = 0

    def load(self, chunk: Chunk) -> None:
        parsed, match = self.parsed, self.match
        whole_file = self.chunks == 0 and chunk.last
        self.chunks += 1
        body = chunk.records
        first_row_number = chunk.start + 1  # 1-based record number of the chunk's first record
        parsed.rows_read += len(body)
        if not body:  # the header was the first chunk's last record
            return
        wide_rows = {first_row_number + i for i in _cut_wide_rows(body, len(match.headers))}
        frame = _frame(body, match.headers)
        # Vectorised over Arrow-backed strings: per-cell Python is too slow for million-row exports.
        text = frame.astype("str")
        blank = text.isna() | text.apply(lambda col: col.str.strip().eq(""))
        first_cell = text.iloc[:, -1]
        for column in reversed(text.columns[:-1]):  # the first filled cell of each row, column-wise
            first_cell = text[column].where(~blank[column], first_cell)
        skipped = blank.all(axis=1) | first_cell.str.strip().str.match(TOTAL_ROW).fillna(False)
        keep = ~skipped.to_numpy()
        frame, text = frame[keep].reset_index(drop=True), text[keep].reset_index(drop=True)
        frame[ROW] = first_row_number + keep.nonzero()[0]
        self.kept += len(frame)
        if frame.empty:
            return
        undecodable = text.apply(lambda col: col.str.contains(UNDECODABLE, regex=False).fillna(False)).any(axis=1)
        self.undecodable += int(undecodable.sum())
        too_long = text.apply(lambda col: col.str.len().gt(MAX_FIELD_CHARS).fillna(False)).any(axis=1)
        too_wide = frame[ROW].isin(wide_rows)
        # Fingerprints of earlier chunks' rows are needed only when there is more than one chunk.
        rows = _contract(parsed, match, frame, text, undecodable, too_long, too_wide, chunk.warnings,
                         None if whole_file else self.seen)
        self.contract.append(rows.contract)
        self._write(rows)

    def _write(self, rows: "_ChunkRows") -> None:
        kind, parsed, con = self.parsed.kind, self.parsed, self.con
        file = {"file_sha": self.sha, "kind": kind.name}
        provenance = {"_file_sha": self.sha, "_file_name": self.file_name, "_sheet": self.sheet_name,
                      "_as_of": parsed.as_of, "_arrived_at": self.arrived_at}
        keep = pa.array(rows.loaded_rows)
        _insert(con, f"raw.{kind.name}", rows.loaded[[c for c in raw_columns(kind) if c in rows.loaded.columns]],
                provenance, source=("_source", rows.cells.filter(keep), rows.headers))
        _insert(con, "quality.rejected_rows", rows.rejected_rows, file,
                source=("source_row", rows.cells.filter(pc.invert(keep)), rows.headers))
        _insert(con, "quality.rejects", rows.rejects, {**file, "file_name": self.file_name})
        _insert(con, "quality.warnings", rows.warnings, file)
        parsed.rows_loaded += len(rows.loaded)
        parsed.rows_rejected += rows.rejects["row_number"].nunique()
        parsed.warnings += len(rows.warnings)
        for rule, count in rows.rejects.drop_duplicates("row_number")["rule"].value_counts().items():
            parsed.reject_reasons[rule] = parsed.reject_reasons.get(rule, 0) + int(count)

    def finish(self) -> None:
        """The judgements on the whole file, once every chunk is read (a quarantined file's rows are not copied)."""
        parsed = self.parsed
        parsed.rows_skipped = parsed.rows_read - self.kept
        if not self.kept:
            raise Quarantine("header only: the file holds no data rows", parsed)
        if self.undecodable > MAX_UNDECODABLE_SHARE * self.kept:
            raise Quarantine(f"{self.undecodable} of {self.kept} rows hold undecodable bytes (more than 1%)", parsed)
        parsed.contract = contracts.combine(self.contract)

    def close(self) -> None:
        """Let go of the fingerprints, whether the file loaded or not."""
        self.seen.close()


class _SeenRows:
    """Fingerprints of the rows of a file's earlier chunks, so that a row repeating one of them is a
    duplicate as it would be within a chunk. A fingerprint is two independent 64-bit hashes of the
    contract's columns: two different rows share one about once in 2**128 pairs."""

    KEYS = ("anju-seen-rows-1", "anju-seen-rows-2")

    def __init__(self):
        self.con = None

    def earlier(self, keys: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        """For each row, the row number of an earlier chunk's row with the same cells, or 0; then
        remembers the rows that are new."""
        if self.con is None:
            self.con = duckdb.connect()
            self.con.execute("CREATE TABLE seen (h1 UBIGINT, h2 UBIGINT, row_number BIGINT)")
        h1, h2 = (pd.util.hash_pandas_object(keys, index=False, hash_key=k).to_numpy() for k in self.KEYS)
        self.con.register("chunk", pa.table({"i": np.arange(len(rows)), "h1": h1, "h2": h2, "row_number": rows}))
        try:
            found = self.con.execute("SELECT c.i, s.row_number FROM chunk c JOIN seen s USING (h1, h2)").fetchnumpy()
            self.con.execute("INSERT INTO seen SELECT h1, h2, row_number FROM chunk ANTI JOIN seen USING (h1, h2)")
        finally:
            self.con.unregister("chunk")
        earlier = np.zeros(len(rows), dtype=np.int64)
        earlier[found["i"]] = found["row_number"]
        return earlier

    def close(self) -> None:
        if self.con is not None:
            self.con.close()


def _cut_wide_rows(body: list[list[str | None]], width: int) -> list[int]:
    """Indexes of the rows with more than MAX_COLUMNS fields that are not blank, cut to the header's
    width. Every field makes a column, read column by column: one row of 100,000 fields would
    take the loader minutes. Trailing blank fields are dropped without a word."""
    wide = []
    for index, record in enumerate(body):
        if len(record) > MAX_COLUMNS:
            del record[max(_filled_width(record), width):]
            if len(record) > MAX_COLUMNS:
                wide.append(index)
                del record[width:]
    return wide


def _frame(body: list[list[str | None]], headers: list[str]) -> pd.DataFrame:
    """Rows as an object DataFrame (short rows padded with None), columns named by the header."""
    frame = pd.DataFrame(body, dtype=object)
    for i in range(frame.shape[1], len(headers)):
        frame[i] = None
    frame.columns = _unique_headers(headers + [""] * (frame.shape[1] - len(headers)))
    return frame


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        name = (h or "").strip() or f"列{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


@dataclass
class _ChunkRows:
    loaded: pd.DataFrame
    rejects: pd.DataFrame
    rejected_rows: pd.DataFrame  # their row numbers: the rows themselves are in `cells`
    warnings: pd.DataFrame
    contract: list[contracts.SuiteResult]
    loaded_rows: np.ndarray  # True for each row of `cells` in `loaded`, False for each in `rejected_rows`
    cells: pa.Table  # every row's original cells, c0, c1, … in the order of `headers`
    headers: list[str]


def _contract(parsed: _Parsed, match: HeaderMatch, frame: pd.DataFrame, text: pd.DataFrame, undecodable: pd.Series,
              too_long: pd.Series, too_wide: pd.Series, read_warnings: list[tuple[int, str]],
              seen: "_SeenRows | None") -> _ChunkRows:
    kind = match.kind
    headers = [c for c in frame.columns if c != ROW]
    by_name = {col.name: headers[i] for i, col in enumerate(match.columns[: len(headers)]) if col}
    units = {col.name: match.units[i] for i, col in enumerate(match.columns[: len(headers)]) if col}
    rejects: list[tuple[int, str, str, str | None]] = []
    warnings: list[tuple[int, str, str, str | None]] = []

    for index, warning in read_warnings:
        warnings.append((index + 1, "", warning, None))
    for row in frame.loc[undecodable, ROW]:
        rejects.append((int(row), "", "undecodable bytes (encoding)", None))
    for row in frame.loc[too_long, ROW]:
        rejects.append((int(row), "", "a field longer than 16 MiB", None))
    for row in frame.loc[too_wide, ROW]:
        rejects.append((int(row), "", f"a row of more than {MAX_COLUMNS} fields", None))
    # Duplicates are judged on the contract's columns: an unknown extra column (a system's import
    # stamp, say) does not make a repeated row a new fact.
    known = [headers[i] for i, col in enumerate(match.columns[: len(headers)]) if col] or headers
    # Grouped on the Arrow-backed text: three times as fast as on the object cells. Hashed once, for both uses.
    same_row = text.groupby(known, dropna=False, sort=False).ngroup()
    duplicated = same_row.duplicated(keep="first")
    if duplicated.any():
        first = frame[ROW].groupby(same_row).transform("first")
        for row, original in zip(frame.loc[duplicated, ROW], first[duplicated]):
            rejects.append((int(row), "", "duplicate of an earlier row", f"row {original}"))
    if seen is not None:
        firsts = ~duplicated.to_numpy()
        earlier = seen.earlier(text.loc[firsts, known], frame.loc[firsts, ROW].to_numpy())
        for row, original in zip(frame.loc[firsts, ROW].to_numpy()[earlier > 0], earlier[earlier > 0]):
            rejects.append((int(row), "", "duplicate of an earlier row", f"row {original}"))
    typed = pd.DataFrame({ROW: frame[ROW].to_numpy()})
    estate_names = frame[by_name["estate_name"]].reset_index(drop=True) if "estate_name" in by_name else None
    for column in kind.columns:
        header = by_name.get(column.name)
        if header is None:  # an optional column this file does not have
            for name in sql_columns(column):
                typed[name] = None
            continue
        cells = frame[header].where(~undecodable, None).reset_index(drop=True)  # rejected anyway
        result = read_column(column, cells, from_xlsx=parsed.fmt == "xlsx", unit=units[column.name], estate_names=estate_names)
        for name, values in result.values.items():
            typed[name] = values.reset_index(drop=True)
        label = header
        bad = result.problem.notna().to_numpy()
        for i in bad.nonzero()[0]:
            row, value = int(typed[ROW].iat[i]), cells.iat[i]
            if column.required or column.reject_invalid:
                rejects.append((row, label, str(result.problem.iat[i]), value))
            else:
                warnings.append((row, label, f"invalid value set to null: {result.problem.iat[i]}", value))
        if bad.any() and not (column.required or column.reject_invalid):
            for name in result.values:
                typed.loc[bad, name] = None
        for i in result.warning.notna().to_numpy().nonzero()[0]:
            warnings.append((int(typed[ROW].iat[i]), label, str(result.warning.iat[i]), cells.iat[i]))

    if kind.name == "household_roster":
        _id_wins(typed, warnings, by_name)

    failures, contract = contracts.validate(kind.name, typed)
    headers_of = {col.name: by_name.get(col.name, col.header) for col in kind.columns}
    nulled: dict[str, set[int]] = {}
    for f in failures:
        if f.rejects_row:
            rejects.append((f.row_number, headers_of.get(f.column, f.column), f.rule, f.value))
        else:
            warnings.append((f.row_number, headers_of.get(f.column, f.column), f"invalid value set to null: {f.rule}", f.value))
            nulled.setdefault(f.column, set()).add(f.row_number)
    for column, rows in nulled.items():
        typed.loc[typed[ROW].isin(rows), column] = None

    rejects_frame = pd.DataFrame(rejects, columns=["row_number", "column_name", "rule", "value"])
    # One reason per row and column: the normaliser's own reason comes first and is the most precise.
    rejects_frame = rejects_frame.drop_duplicates(subset=["row_number", "column_name"], keep="first")
    # A row rejected whole (undecodable, too long, a duplicate) gets that reason only.
    whole_row = set(rejects_frame.loc[rejects_frame["column_name"] == "", "row_number"])
    rejects_frame = rejects_frame[(rejects_frame["column_name"] == "") | ~rejects_frame["row_number"].isin(whole_row)]
    rejected = set(rejects_frame["row_number"])
    keep = ~typed[ROW].isin(rejected).to_numpy()

    return _ChunkRows(
        loaded=typed[keep],
        rejects=rejects_frame,
        rejected_rows=pd.DataFrame({"row_number": typed[ROW][~keep].to_numpy()}),
        warnings=pd.DataFrame(warnings, columns=["row_number", "column_name", "warning", "value"]),
        contract=contract,
        loaded_rows=keep,
        cells=pa.table({f"c{i}": pa.array(text[h].array) for i, h in enumerate(headers)}),
        headers=headers,
    )


def _id_wins(typed: pd.DataFrame, warnings: list, by_name: dict[str, str]) -> None:
    """EXPORTS.md: where a valid ID disagrees with 出生日期 or 性别, the ID wins (a warning)."""
    from . import normalize as n

    ids = typed["resident_id"]
    valid = ids.notna()
    birth = n.id_birth_date(ids)
    sex = n.id_sex(ids)
    for name, derived, label in (("birth_date", birth, "出生日期"), ("sex", sex, "性别")):
        given = typed[name]
        differs = valid & given.notna() & (given.astype(str) != derived.astype(str))
        for i in differs.to_numpy().nonzero()[0]:
            warnings.append((int(typed[ROW].iat[i]), by_name.get(name, label), f"{label} disagrees with the ID: taken from the ID", str(given.iat[i])))
        typed[name] = derived.where(valid, given)


# ---------------------------------------------------------------- writing


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, constants: dict | None = None,
            source: tuple[str, pa.Table, list[str]] | None = None) -> None:
    """The frame's rows into `table` by column name, with `constants` as columns of the same value in
    every row. With `source` (the column to fill, the original cells of the frame's rows in the same
    order, their headers), each row also gets its cells as one JSON object keyed by the headers in
    their order: built by DuckDB in the INSERT, so the cells never become Python strings."""
    if frame is None or frame.empty:
        return
    constants = constants or {}
    columns = ["f.*", *(f'? AS "{name}"' for name in constants)]
    parameters = list(constants.values())
    # Through Arrow: DuckDB scans Arrow columns natively, object columns one Python value at a time.
    views = {"_frame": pa.Table.from_pandas(frame, preserve_index=False)}
    join = ""
    if source is not None:
        column, views["_cells"], headers = source
        columns.append(f'json_object({", ".join(f"?, c.c{i}" for i in range(len(headers)))}) AS "{column}"')
        parameters += headers
        join = "POSITIONAL JOIN _cells c"  # row by row, in the order given: no key, no sort
    try:
        for name, view in views.items():
            con.register(name, view)
        con.execute(f"INSERT INTO {table} BY NAME SELECT {', '.join(columns)} FROM _frame f {join}", parameters)
    finally:
        for name in views:
            con.unregister(name)


def _record(con, now: dt.datetime, d: Delivery, result: "_Parsed | Quarantine") -> FileOutcome:
    """The file's outcome in quality.files, arrivals and contract_results (inside the caller's transaction)."""
    sha, source, file_name = d.sha, d.source, d.file_name
    quarantined = isinstance(result, Quarantine)
    parsed = result.parsed if quarantined else result
    kind = parsed.kind
    outcome = FileOutcome(
        source, file_name, sha, "quarantined" if quarantined else "loaded",
        kind=kind.name if kind else None, reason=str(result) if quarantined else None, as_of=parsed.as_of,
    )
    if not quarantined:
        outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected = parsed.rows_read, parsed.rows_loaded, parsed.rows_rejected
        outcome.rows_skipped, outcome.warnings, outcome.reject_reasons = parsed.rows_skipped, parsed.warnings, parsed.reject_reasons
        _insert(con, "quality.contract_results", pd.DataFrame(
            [dict(file_sha=sha, kind=kind.name, **dataclasses.asdict(r)) for r in parsed.contract]
        ))
    file_row = dict(
        file_sha=sha, source=source, file_name=file_name, archive_path=d.archived,
        format=parsed.fmt, encoding=parsed.encoding, sheet=parsed.sheet, kind=outcome.kind,
        kind_label=kind.label if kind else None, mode=kind.mode if kind else None, as_of=parsed.as_of,
        as_of_from=parsed.as_of_from or None, arrived_at=d.arrived_at, ingested_at=now, run_id=d.arrival["run_id"],
        status=outcome.status, reason=outcome.reason, rows_read=outcome.rows_read, rows_loaded=outcome.rows_loaded,
        rows_rejected=outcome.rows_rejected, rows_skipped=outcome.rows_skipped, warnings=outcome.warnings,
    )
    _insert(con, "quality.files", pd.DataFrame([file_row]))
    _insert(con, "quality.arrivals", pd.DataFrame([{**d.arrival, "file_sha": sha, "outcome": "reprocessed" if d.replace else "new"}]))
    return outcome


def _forget(con: duckdb.DuckDBPyConnection, sha: str) -> None:
    """Remove what one file loaded (inside the caller's transaction), before loading it again.
    Its arrivals and an engineer's acceptance of its blocking failures are history, and stay."""
    for (table,) in con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name IN ('raw', 'quality') "
        "AND table_name NOT IN ('arrivals', 'contract_acceptances')"
    ).fetchall():
        column = "_file_sha" if table.startswith("raw.") else "file_sha"
        con.execute(f"DELETE FROM {table} WHERE {column} = ?", [sha])
