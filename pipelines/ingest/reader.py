"""Turn a file's bytes into records of text cells, or say precisely why it cannot be read.

Format is decided by the bytes and must agree with the extension (EXPORTS.md, "Limits"). Every
cell comes back as `str` or None; typing is the normalisers' job, so CSV and XLSX behave alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_XLSX_EXPANDED_BYTES = 1 << 30
MAX_FIELD_CHARS = 16 * 1024 * 1024
MAX_COLUMNS = 500
MAX_XLSX_ROWS = 1_048_576

# What a byte that did not decode becomes; a row holding it is rejected.
UNDECODABLE = "\ufffd"


class Unreadable(Exception):
    """The whole file is quarantined for this reason."""


@dataclass
class Sheet:
    name: str | None
    records: list[list[str | None]]
    encoding: str | None = None
    # (record index, warning) pairs for repairs made while reading: NUL bytes, stray BOMs.
    warnings: list[tuple[int, str]] = field(default_factory=list)


def sniff_format(path: Path, file_name: str) -> str:
    """'csv' or 'xlsx', or raise Unreadable naming what the bytes really are.

    The extension comes from the name the file arrived with (archived copies have none)."""
    with path.open("rb") as f:
        head = f.read(8)
    ext = Path(file_name).suffix.lower()
    if not head:
        raise Unreadable("empty file (0 bytes)")
    if head.startswith(b"PK\x03\x04"):
        real = _zip_kind(path)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        real = "legacy Office (OLE2, e.g. .xls/.doc)"
    elif head.startswith(b"%PDF"):
        real = "PDF"
    else:
        real = "text"
    if real == "xlsx" and ext == ".xlsx":
        return "xlsx"
    if real == "text" and ext == ".csv":
        return "csv"
    if ext not in (".csv", ".xlsx"):
        raise Unreadable(f"unsupported format: extension '{ext or '(none)'}', content is {real}; only .csv and .xlsx are accepted")
    raise Unreadable(f"extension {ext} does not match the content, which is {real}")


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
        return [_read_csv(path.read_bytes())]
    return _read_xlsx(path)


# ---------------------------------------------------------------- CSV


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or GB18030 (a superset of GBK).

    Undecodable bytes become U+FFFD (the replacement character) so that only the rows holding
    them are rejected; the archive keeps the original bytes.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf8 = data.decode("utf-8", "replace")
    gb = data.decode("gb18030", "replace")
    # Chinese text in GBK yields an error at nearly every character when read as UTF-8.
    if utf8.count(UNDECODABLE) < gb.count(UNDECODABLE):
        return utf8, "utf-8"
    return gb, "gb18030"


def _read_csv(data: bytes) -> Sheet:
    text, encoding = decode(data)
    if text.count('"') % 2 == 1:
        raise Unreadable("truncated file: a quoted field is never closed (the transfer broke mid-row)")
    csv.field_size_limit(2**31 - 1)  # fields over 16 MiB are rejected per row, not here
    records: list[list[str | None]] = []
    warnings: list[tuple[int, str]] = []
    for record in csv.reader(io.StringIO(text, newline="")):
        index = len(records)
        cleaned = []
        for cell in record:
            if "\x00" in cell:
                cell = cell.replace("\x00", "")
                warnings.append((index, "NUL byte removed"))
            if "\ufeff" in cell:
                cell = cell.replace("\ufeff", "")
                warnings.append((index, "byte-order mark inside the file removed"))
            cleaned.append(cell)
        records.append(cleaned)
    if records and not text.endswith(("\n", "\r")) and len(records) > 1:
        width = max(len(r) for r in records[:-1])
        if 0 < len(records[-1]) < width:
            raise Unreadable(
                f"truncated file: the last row has {len(records[-1])} of {width} fields and no line end (the transfer broke mid-row)"
            )
    return Sheet(None, records, encoding, warnings)


# ---------------------------------------------------------------- XLSX


def _read_xlsx(path: Path) -> list[Sheet]:
    with zipfile.ZipFile(path) as z:
        expanded = sum(i.file_size for i in z.infolist())
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise Unreadable(f"XLSX would expand to {expanded / 2**30:.1f} GiB (limit 1 GiB): refused before reading")
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt parts
        raise Unreadable(f"XLSX cannot be opened: {exc}") from exc
    sheets = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if len(rows) > MAX_XLSX_ROWS:
            raise Unreadable(f"sheet {name} holds {len(rows)} rows, more than an XLSX sheet can (1,048,576)")
        sheets.append(Sheet(name, [[_cell_text(v) for v in row] for row in rows]))
    return sheets


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
        return repr(value) if abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)
