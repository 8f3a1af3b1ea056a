"""Cells whose saved value is an Excel error (`#DIV/0!`, `#N/A`, `#REF!`…), found from the sheet's XML.

calamine hands them over as empty cells, so a formula that failed would load as a blank value
without a word. Read as their error text, they are judged like any other invalid value (the row
rejected, or the value set to null with a warning) and kept in the raw layer as written.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree import ElementTree

from .xlsx_extent import column_number, xml_pieces

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A cell of type e: its reference first (as xlsx_extent expects), an optional formula, its value.
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*\st="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>')


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


def error_cells(book: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """(row, column), both 0-based → the error text, for each cell saved as an error."""
    found = {}
    with book.open(part) as stream:
        for piece in xml_pieces(stream):
            if b't="e"' in piece:
                for cell in _ERROR_CELL.finditer(piece):
                    found[(int(cell[2]) - 1, column_number(cell[1]) - 1)] = cell[3].decode("utf-8", "replace")
    return found
