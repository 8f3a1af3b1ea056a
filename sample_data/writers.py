"""Writing one export file, CSV or XLSX, and telling which physical row each data row landed on.

Row numbers are 1-based physical rows of the sheet, or 1-based records of the CSV, counting title rows,
the header row and blank rows: the number a person sees in Excel.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from . import fast

FIXED_CREATED = dt.datetime(2026, 11, 1)  # xlsxwriter stamps "now" into docProps unless told otherwise
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class Layout:
    """How one file presents its rows: everything about the file that is not the data."""
    fmt: str  # "csv" or "xlsx"
    encoding: str = "utf-8"  # csv only: gbk, gb18030, utf-8, utf-8-sig
    line_end: str = "\r\n"
    title_rows: list[str] = field(default_factory=list)  # xlsx only
    merge_titles: bool = False
    notes_sheet_first: bool = False  # a 填报说明 sheet before the data sheet
    blank_rows_after: list[int] = field(default_factory=list)  # data row positions followed by a blank row
    totals_row: bool = False
    number_columns: tuple[str, ...] = ()  # written as numbers in XLSX where the text is a plain number


def csv_quote(col: pa.Array) -> pa.Array:
    """Quote the values that need it (a comma, a quote, a line break), as the csv module's QUOTE_MINIMAL."""
    data = col.buffers()[2]
    offsets = np.frombuffer(col.buffers()[1], dtype=np.int64)[[col.offset, col.offset + len(col)]]
    raw = bytes(memoryview(data)[offsets[0]:offsets[1]]) if data is not None else b""  # a byte search beats a regex per value
    if not any(ch in raw for ch in (b",", b'"', b"\n", b"\r")):
        return col
    need = pc.match_substring_regex(col, '[",\r\n]')
    if not pc.any(need).as_py():
        return col
    quoted = fast.join('"', pc.replace_substring(col, '"', '""'), '"')
    return pc.if_else(need, quoted, col)


CSV_CHUNK = 500_000  # rows assembled and transcoded at a time: memory stays flat for files of any size


def csv_header(header: list[str], eol: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol).writerow(header)
    return buf.getvalue()


def csv_body(columns: list[pa.Array], eol: str) -> bytes:
    """Records as UTF-8 bytes, built in Arrow (no Python object per cell)."""
    if not columns or len(columns[0]) == 0:
        return b""
    cols = [csv_quote(fast.arrow(c)) for c in columns]
    lines = fast.join(fast.join(*cols, sep=","), eol) if len(cols) > 1 else fast.join(cols[0], eol)
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    return bytes(memoryview(lines.buffers()[2])[offsets[0]: offsets[-1]])


def _corrupt(chunk: bytes, lines: list[int], eol: bytes) -> bytes:
    """Put a byte no GBK decoder accepts after the second comma of the given lines (0-based in the chunk)."""
    ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == eol[-1])  # no line break inside a data field
    starts = np.concatenate([[0], ends + 1])
    pieces, last = [], 0
    for r in lines:
        start, end = int(starts[r]), int(ends[r])
        line = chunk[start:end]
        cut = line.find(b",", line.find(b",") + 1) if b"," in line else len(line)
        pieces += [chunk[last:start + cut], b"\xff"]
        last = start + cut
    return b"".join(pieces + [chunk[last:]])


class CsvFile:
    """One CSV export written as its rows arrive, a chunk at a time (memory stays flat for any size).

    A character that GBK lacks switches the file to GB18030, as the departments' systems do: GB18030
    decodes the GBK bytes already written the same, and from then on no undecodable bytes are added.
    """

    def __init__(self, path: Path, header: list[str], layout: Layout):
        self.fh = open(path, "wb")
        self.encoding = layout.encoding
        self.eol = layout.line_end
        if self.encoding == "utf-8-sig":
            self.fh.write(codecs.BOM_UTF8)
        self.fh.write(self._encode(csv_header(header, self.eol)))

    def _encode(self, text: str) -> bytes:
        if self.encoding in ("utf-8", "utf-8-sig"):
            return text.encode("utf-8")
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError:
            self.encoding = "gb18030"
            return text.encode(self.encoding)

    def write(self, columns: list, corrupt_rows: np.ndarray) -> np.ndarray:
        """Append records (columns in header order); `corrupt_rows` (0-based in these columns) get a byte no GBK
        decoder accepts. Returns the rows that did."""
        columns = [fast.arrow(c) for c in columns]
        n = len(columns[0]) if columns else 0
        corrupted = []
        for start in range(0, n, CSV_CHUNK):
            body = csv_body([c.slice(start, CSV_CHUNK) for c in columns], self.eol)
            if self.encoding not in ("utf-8", "utf-8-sig"):
                was = self.encoding
                body = self._encode(body.decode("utf-8"))
                here = corrupt_rows[(corrupt_rows >= start) & (corrupt_rows < start + CSV_CHUNK)] - start
                if len(here) and self.encoding == was == "gbk":
                    body = _corrupt(body, here.tolist(), self.eol.encode("ascii"))
                    corrupted.append(here + start)
            self.fh.write(body)
        return np.concatenate(corrupted) if corrupted else np.array([], dtype=np.int64)

    def close(self) -> None:
        self.fh.close()


def write_csv(path: Path, header: list[str], data, layout: Layout,
              corrupt_rows: np.ndarray | None = None) -> np.ndarray:
    """Write a whole file at once and return each data row's record number (faults and tests).

    `data` is a DataFrame or a list of columns (Arrow, numpy or pandas), in header order.
    """
    columns = [data[c] for c in data.columns] if isinstance(data, pd.DataFrame) else list(data)
    out = CsvFile(path, header, layout)
    out.write(columns, np.sort(np.asarray(corrupt_rows if corrupt_rows is not None else [], dtype=np.int64)))
    out.close()
    return np.arange(len(columns[0]) if columns else 0) + 2


def write_xlsx(path: Path, header: list[str], data: pd.DataFrame, layout: Layout,
               number_cells: set[tuple[int, int]] | None = None,
               formula_cells: dict[tuple[int, int], float] | None = None) -> np.ndarray:
    """Write with title rows, blank rows and a totals row; return each data row's sheet row number.

    `number_cells` are (row, column) positions written as numbers whatever their column (an ID typed in
    as a number, a date as an Excel serial); `formula_cells` are written as formulas with that cached value.
    """
    number_cells = number_cells or set()
    formula_cells = formula_cells or {}
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "", "title": ""})
    if layout.notes_sheet_first:
        notes = wb.add_worksheet("填报说明")
        notes.write_string(0, 0, "本表由系统导出，请勿修改表头。")
    ws = wb.add_worksheet("Sheet1")
    bold = wb.add_format({"bold": True, "align": "center"})
    wrap = wb.add_format({"text_wrap": True, "bold": True})
    row = 0
    for title in layout.title_rows:
        if layout.merge_titles and len(header) > 1:
            ws.merge_range(row, 0, row, len(header) - 1, title, bold)
        else:
            ws.write_string(row, 0, title)
        row += 1
    for c, name in enumerate(header):
        ws.write_string(row, c, name, wrap if "\n" in name else None)
    row += 1
    numeric_col = np.array([name in layout.number_columns for name in data.columns])
    blank_after = set(layout.blank_rows_after)
    row_numbers = np.empty(len(data), dtype=np.int64)
    values = data.to_numpy(dtype=object)
    for i, record in enumerate(values):
        row_numbers[i] = row + 1
        for c, v in enumerate(record):
            if v == "":
                continue
            if formula_cells and (i, c) in formula_cells:
                ws.write_formula(row, c, v, None, formula_cells[(i, c)])
            elif (numeric_col[c] and NUMBER.match(v)) or (i, c) in number_cells:
                ws.write_number(row, c, float(v))
            else:
                ws.write_string(row, c, v)
        row += 1
        if i in blank_after:
            row += 1
    if layout.totals_row:
        ws.write_string(row, 0, "合计")
        ws.write_string(row, 1, f"{len(data)}条")
    wb.close()
    return row_numbers


def set_arrival(path: Path, arrival: pd.Timestamp) -> None:
    """Deterministic mtime: the pipeline falls back to arrival time when a file states no date."""
    seconds = (arrival - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    os.utime(path, (seconds, seconds))
