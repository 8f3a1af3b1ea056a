"""Turn a file's bytes into records of text cells, or say precisely why it cannot be read.

Format is decided by the bytes and must agree with the extension (EXPORTS.md, "Limits"). Every
cell comes back as `str` or None; typing is the normalisers' job, so CSV and XLSX behave alike.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .header import HEADER_SEARCH_ROWS
from .xlsx_scan import scan_sheet, sheet_parts, worksheet_parts

MAX_XLSX_EXPANDED_BYTES = 1 << 30
MAX_FIELD_CHARS = 16 * 1024 * 1024
MAX_COLUMNS = 500
MAX_XLSX_ROWS = 1_048_576
# calamine holds a sheet as a dense rectangle: a full sheet of 32 columns is the most it is given.
MAX_XLSX_CELLS = MAX_XLSX_ROWS * 32
DEFAULT_CHUNK_ROWS = 500_000
CSV_BLOCK_BYTES = 1 << 24

_DOS_END_OF_FILE = "\x1a"
# A totals row, skipped: its first filled cell starts 合计, 总计 or 小计 (`合 计`, `合　计：` too).
TOTAL_ROW = re.compile(r"^(合\s*计|总\s*计|小\s*计)")

# What a byte that did not decode becomes; a row holding it is rejected.
UNDECODABLE = "\ufffd"
# Control bytes no UTF-8 or GB18030 text holds (tab, line ends, NUL and DOS's end-of-file ^Z aside).
_BINARY_BYTES = bytes(set(range(32)) - {0, 9, 10, 13, 26})


class Unreadable(Exception):
    """The whole file is quarantined for this reason."""


@dataclass
class Chunk:
    """Consecutive records of a sheet; a file of millions of rows is read a chunk at a time."""

    start: int  # index of the first record in the sheet
    records: list[list[str | None]]
    # (record index in the sheet, warning) for repairs made while reading: NUL bytes, stray BOMs.
    warnings: list[tuple[int, str]] = field(default_factory=list)
    last: bool = True  # no record follows


@dataclass
class Sheet:
    name: str | None
    # Every record from the first, in order. A CSV is read as this is consumed, so Unreadable
    # (a truncated file) can still come after the first chunks.
    chunks: Iterator[Chunk]
    encoding: str | None = None


def chunk_rows() -> int:
    """Records per chunk, which bounds the loader's memory. The first chunk holds the header."""
    return max(HEADER_SEARCH_ROWS, int(os.environ.get("ANJU_INGEST_CHUNK_ROWS", DEFAULT_CHUNK_ROWS)))


def sniff_format(path: Path, file_name: str) -> str:
    """'csv' or 'xlsx', or raise Unreadable naming what the bytes really are.

    The extension comes from the name the file arrived with (archived copies have none)."""
    with path.open("rb") as f:
        head = f.read(1 << 16)
    ext = Path(file_name).suffix.lower()
    if not head:
        raise Unreadable("empty file (0 bytes)")
    if head.startswith(b"PK\x03\x04"):
        real = _zip_kind(path)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        real = "legacy Office (OLE2, e.g. .xls/.doc)"
    elif head.startswith(b"%PDF"):
        real = "PDF"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        real = "UTF-16 text (Excel's 'Unicode text'; a CSV must be UTF-8 or GBK/GB18030)"
    elif _looks_binary(head):
        real = "binary data (control bytes that no text holds)"
    else:
        real = "text"
    if real == "xlsx" and ext == ".xlsx":
        return "xlsx"
    if real == "text" and ext == ".csv":
        return "csv"
    if ext not in (".csv", ".xlsx"):
        raise Unreadable(f"unsupported format: extension '{ext or '(none)'}', content is {real}; only .csv and .xlsx are accepted")
    raise Unreadable(f"extension {ext} does not match the content, which is {real}")


def _looks_binary(head: bytes) -> bool:
    """Control bytes, in bytes that do not decode as text. A text export may carry a stray one in a
    free-text field (a vertical tab pasted into 诉求内容), which loads as written; binary formats
    leave at least a tenth of their characters undecodable as UTF-8 or GB18030, text hardly any."""
    if len(head.translate(None, _BINARY_BYTES)) == len(head):
        return False
    for encoding in ("utf-8", "gb18030"):
        text = codecs.getincrementaldecoder(encoding)("replace").decode(head, final=False)
        if text.count(UNDECODABLE) <= 0.01 * len(text):
            return False
    return True


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return "a damaged zip archive"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "zip archive"


def read_sheets(path: Path, fmt: str) -> list[Sheet]:
    if fmt == "csv":
        return [_read_csv(path)]
    return _read_xlsx(path)


# ---------------------------------------------------------------- CSV


def _csv_encoding(path: Path) -> tuple[str, bool]:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK), and whether the text holds a NUL
    or an inner BOM, read block by block. Raises Unreadable if a quoted field is never closed.

    Undecodable bytes become U+FFFD (the replacement character) so that only the rows holding
    them are rejected; the archive keeps the original bytes.
    """
    with path.open("rb") as f:
        bom = f.read(3) == b"\xef\xbb\xbf"
    if bom:
        found = _scan(path, "utf-8-sig", "replace")
    else:
        try:
            found = _scan(path, "utf-8", "strict")
        except UnicodeDecodeError:
            utf8, gb = _scan(path, "utf-8", "replace"), _scan(path, "gb18030", "replace")
            # Chinese text in GBK yields an error at nearly every character when read as UTF-8.
            found = utf8 if utf8[1] < gb[1] else gb
    encoding, _, quotes, dirty = found
    if quotes % 2 == 1:
        raise Unreadable("truncated file: a quoted field is never closed (the transfer broke mid-row)")
    return encoding, dirty


def _scan(path: Path, encoding: str, errors: str) -> tuple[str, int, int, bool]:
    """(encoding, undecodable characters, double quotes, holds a NUL or an inner BOM) of the text."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    undecodable = quotes = 0
    dirty = False
    with path.open("rb") as f:
        while True:
            block = f.read(CSV_BLOCK_BYTES)
            text = decoder.decode(block, final=not block)
            undecodable += text.count(UNDECODABLE)
            quotes += text.count('"')
            dirty = dirty or "\x00" in text or "\ufeff" in text
            if not block:
                return encoding, undecodable, quotes, dirty


def _is_total_row(record: list[str | None]) -> bool:
    first = next((cell.strip() for cell in record if cell and cell.strip()), "")
    return TOTAL_ROW.match(first) is not None


def _read_csv(path: Path) -> Sheet:
    encoding, dirty = _csv_encoding(path)
    return Sheet(None, _csv_chunks(path, encoding, dirty), encoding)


def _csv_chunks(path: Path, encoding: str, dirty: bool) -> Iterator[Chunk]:
    csv.field_size_limit(2**31 - 1)  # fields over 16 MiB are rejected per row, not here
    with path.open("rb") as raw:
        raw.seek(-min(2, os.fstat(raw.fileno()).st_size), os.SEEK_END)
        tail = raw.read()
    dos_end = tail.endswith(_DOS_END_OF_FILE.encode())  # ^Z, the end-of-file mark of old DOS tools
    ends_with_newline = tail[:-1 if dos_end else None][-1:] in (b"\n", b"\r")
    size = chunk_rows()
    width = 0  # the widest record before the last
    start = 0
    with open(path, encoding=encoding, errors="replace", newline="") as text:
        reader = csv.reader(text)
        records = list(itertools.islice(reader, size))
        while records:
            following = next(reader, None)  # one record ahead, to know the last chunk
            last = following is None
            if last and dos_end and records[-1] == [_DOS_END_OF_FILE]:
                records.pop()
            before_last = records[:-1] if last else records
            if before_last:
                width = max(width, max(map(len, before_last)))
            if (last and not ends_with_newline and start + len(records) > 1 and 0 < len(records[-1]) < width
                    and not _is_total_row(records[-1])):  # a short 合计 line is how some exports end
                raise Unreadable(
                    f"truncated file: the last row has {len(records[-1])} of {width} fields and no line end (the transfer broke mid-row)"
                )
            yield Chunk(start, records, _repair(records, start) if dirty else [], last)
            start += len(records)
            records = [] if last else [following, *itertools.islice(reader, size - 1)]


def _repair(records: list[list[str | None]], start: int) -> list[tuple[int, str]]:
    """Remove NUL bytes and inner BOMs, cell by cell, only in a file that holds either: the parse
    itself is C, a Python loop over every cell of a million-row file is not."""
    warnings: list[tuple[int, str]] = []
    for index, record in enumerate(records, start):
        joined = "".join(record)
        if "\x00" not in joined and "\ufeff" not in joined:
            continue
        for i, cell in enumerate(record):
            if "\x00" in cell:
                cell = cell.replace("\x00", "")
                warnings.append((index, "NUL byte removed"))
            if "\ufeff" in cell:
                cell = cell.replace("\ufeff", "")
                warnings.append((index, "byte-order mark inside the file removed"))
            record[i] = cell
    return warnings


# ---------------------------------------------------------------- XLSX


def _read_xlsx(path: Path) -> list[Sheet]:
    try:
        with zipfile.ZipFile(path) as z:
            expanded = sum(i.file_size for i in z.infolist())
            if expanded > MAX_XLSX_EXPANDED_BYTES:
                raise Unreadable(f"XLSX would expand to {expanded / 2**30:.1f} GiB (limit 1 GiB): refused before reading")
            scans = {}
            for part in worksheet_parts(z):
                scans[part] = scan = scan_sheet(z, part)
                _refuse_oversized(part, scan.rows, scan.columns)
            errors = {name: scans[part].errors for name, part in sheet_parts(z).items() if part in scans}
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        cells = [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names]
    except Unreadable:
        raise
    except Exception as exc:  # zipfile's and calamine's errors for damaged parts, bad CRCs, sizes that lie
        raise Unreadable(f"XLSX cannot be read: {exc}") from exc
    for name, rows in cells:
        for (row, column), error in errors.get(name, {}).items():  # calamine reads them as empty
            if row < len(rows) and column < len(rows[row]) and rows[row][column] in ("", None):
                rows[row][column] = error
    return [Sheet(name, _in_chunks([[_cell_text(v) for v in row] for row in rows])) for name, rows in cells]


def _in_chunks(records: list[list[str | None]]) -> Iterator[Chunk]:
    size = chunk_rows()
    for start in range(0, len(records), size):
        yield Chunk(start, records[start : start + size], last=start + size >= len(records))


def _refuse_oversized(part: str, rows: int, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise Unreadable(f"{part} spans {columns:,} columns (limit {MAX_COLUMNS}): refused before reading")
    if rows > MAX_XLSX_ROWS:
        raise Unreadable(f"{part} holds {rows:,} rows, more than an XLSX sheet can (1,048,576)")
    if rows * columns > MAX_XLSX_CELLS:
        raise Unreadable(f"{part} spans {rows:,} rows × {columns} columns, more than {MAX_XLSX_CELLS:,} cells: refused before reading")


def _cell_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Beyond 15 significant digits Excel has already lost precision (IDs typed as numbers):
        # keep the scientific form so the value is recognised as unrecoverable, never "repaired".
        if abs(value) >= 1e15:
            return f"{value:.15g}"
        # Below, the shortest exact digits, never in exponent form: a formula's cached 0.3-0.2-0.1
        # is -2.7755575615628914e-17, which no parser of amounts would read.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)
