"""Writing one export file, CSV or XLSX, and telling which physical row each data row landed on.

Row numbers are 1-based physical rows of the sheet, or 1-based records of the CSV, counting title rows,
the header row and blank rows: the number a person sees in Excel.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

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


def write_csv(path: Path, header: list[str], data: pd.DataFrame, layout: Layout,
              corrupt_rows: np.ndarray | None = None) -> np.ndarray:
    """Write and return each data row's record number. `corrupt_rows` get a byte no GBK decoder accepts."""
    text = data.to_csv(index=False, header=header, lineterminator="\n")
    lines = text.encode(layout.encoding).split(b"\n")[:-1]
    if corrupt_rows is not None and len(corrupt_rows):
        for r in corrupt_rows:
            line = lines[r + 1]
            cut = line.find(b",", line.find(b",") + 1) if b"," in line else len(line)
            lines[r + 1] = line[:cut] + b"\xff" + line[cut:]
    eol = layout.line_end.encode("ascii")
    path.write_bytes(eol.join(lines) + eol)
    return np.arange(len(data)) + 2


def write_xlsx(path: Path, header: list[str], data: pd.DataFrame, layout: Layout,
               number_cells: set[tuple[int, int]] | None = None) -> np.ndarray:
    """Write with title rows, blank rows and a totals row; return each data row's sheet row number.

    `number_cells` are (row, column) positions written as numbers whatever their column (an ID typed in
    as a number, a date as an Excel serial).
    """
    number_cells = number_cells or set()
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
            if (numeric_col[c] and NUMBER.match(v)) or (i, c) in number_cells:
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
