"""What the reader learns of a worksheet from its XML, in one pass, before calamine reads it.

- How far it reaches. calamine holds a sheet as one dense rectangle from its first cell to its
  last: an XLSX of a few hundred bytes with one cell at A1 and one at XFD1048576 asks it for
  512 GiB, and the process aborts (a Rust allocation failure cannot be caught).
- Which cells were saved as an Excel error (`#DIV/0!`, `#N/A`…). calamine hands them over empty,
  so a formula that failed would load as a blank value without a word.

Excel, WPS and the common writers give every <row> and <c> its reference (`r="B7"`), first among
the attributes: then byte searches find the last row, the widest column and the error cells in
about a second per 100 MB of XML. A sheet written otherwise (cells located by their position,
namespace prefixes) is walked tag by tag, as calamine walks it, for its extent only.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO
from xml.etree import ElementTree

_CHUNK = 1 << 24
# A self-closing <row/> or <c/> holds no value: a formatted but empty cell (a fill reaching column
# WB) makes one, and calamine does not allocate for it.
_ROW_REF = re.compile(rb'<row r="([0-9]+)"[^>]*(?<!/)>')
# Columns of two letters or more (AA…): in department exports they are few, so this stays cheap.
_WIDE_REF = re.compile(rb'<c r="([A-Z]{2,})[^>]*(?<!/)>')
# A row or cell whose first attribute is not its reference, or a prefixed one. Each pattern starts
# with a literal, which Python's re searches for quickly; one alternation of them all is 10× slower.
_IRREGULAR = (re.compile(rb'<c(?:[/>]|\s(?!r="))'), re.compile(rb'<row(?:[/>]|\s(?!r="))'), re.compile(rb":(?:c|row)[\s/>]"))
# A cell of type e: its reference first, an optional formula, its value (the error's text).
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*\st="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetScan:
    rows: int  # the last row and column, both 1-based, that calamine would allocate the sheet up to
    columns: int
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 0-based → error text


def worksheet_parts(book: zipfile.ZipFile) -> list[str]:
    return [name for name in book.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml")]


def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its worksheet part, from the workbook and its relationships."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    relationships = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in relationships.iter(f"{_PACKAGE_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_OFFICE_REL}id"))
        if target:
            parts[sheet.get("name")] = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return parts


def scan_sheet(book: zipfile.ZipFile, part: str) -> SheetScan:
    with book.open(part) as stream:
        fast = _by_references(stream)
    if fast is not None:
        return fast
    with book.open(part) as stream:
        return SheetScan(*_by_walking(stream))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _xml_pieces(stream: IO[bytes]):
    """The XML in pieces that end at a '>', so that no tag is cut in two."""
    rest = b""
    while chunk := stream.read(_CHUNK):
        data = rest + chunk
        cut = data.rfind(b">") + 1
        yield data[:cut]
        rest = data[cut:]
    if rest:
        yield rest


def _by_references(stream: IO[bytes]) -> SheetScan | None:
    """The extent and the error cells from the references, or None if any row or cell may lack one."""
    last_row, widest, errors = 0, 26, {}  # without a two-letter reference, no column lies beyond Z
    for piece in _xml_pieces(stream):
        if any(pattern.search(piece) for pattern in _IRREGULAR):
            return None
        numbers = _ROW_REF.findall(piece)
        if numbers:
            last_row = max(last_row, max(map(int, numbers)))
        widest = max([widest, *(_column_number(letters) for letters in set(_WIDE_REF.findall(piece)))])
        if b't="e"' in piece:
            for cell in _ERROR_CELL.finditer(piece):
                errors[(int(cell[2]) - 1, _column_number(cell[1]) - 1)] = cell[3].decode("utf-8", "replace")
    return SheetScan(last_row, widest, errors) if last_row else SheetScan(0, 0)


def _by_walking(stream: IO[bytes]) -> tuple[int, int]:
    row = column = last_row = last_column = 0
    for piece in _xml_pieces(stream):
        for tag in _TAG.finditer(piece):
            ref = _REF.search(tag.group(2))
            if tag.group(1) == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                column = 0
                continue
            column = _column_number(ref.group(1)) if ref and ref.group(1) else column + 1
            if ref and ref.group(2):
                row = int(ref.group(2))
            last_row, last_column = max(last_row, row), max(last_column, column)
    return last_row, last_column
