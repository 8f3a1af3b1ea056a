"""How far a worksheet reaches, found from its XML before calamine reads it.

calamine holds a sheet as one dense rectangle from its first cell to its last: an XLSX of a few
hundred bytes with one cell at A1 and one at XFD1048576 asks it for 512 GiB, and the process
aborts (a Rust allocation failure cannot be caught). So the reader measures each sheet first.

Excel, WPS and the common writers give every <row> and <c> its reference (`r="B7"`), first among
the attributes: then byte searches find the last row and the widest column in about a second per
100 MB of XML. A sheet written otherwise (cells located by their position, namespace prefixes) is
walked tag by tag, as calamine walks it.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

_CHUNK = 1 << 24
# A self-closing <row/> or <c/> holds no value: a formatted but empty cell (a fill reaching column
# WB) makes one, and calamine does not allocate for it.
_ROW_REF = re.compile(rb'<row r="([0-9]+)"[^>]*(?<!/)>')
# Columns of two letters or more (AA…): in department exports they are few, so this stays cheap.
_WIDE_REF = re.compile(rb'<c r="([A-Z]{2,})[^>]*(?<!/)>')
# A row or cell whose first attribute is not its reference, or a prefixed one. Each pattern starts
# with a literal, which Python's re searches for quickly; one alternation of them all is 10× slower.
_IRREGULAR = (re.compile(rb'<c(?:[/>]|\s(?!r="))'), re.compile(rb'<row(?:[/>]|\s(?!r="))'), re.compile(rb":(?:c|row)[\s/>]"))
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")


def worksheet_parts(book: zipfile.ZipFile) -> list[str]:
    return [name for name in book.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml")]


def sheet_extent(book: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(last row, last column), both 1-based, that calamine would allocate the sheet up to."""
    with book.open(part) as stream:
        fast = _by_references(stream)
    if fast is not None:
        return fast
    with book.open(part) as stream:
        return _by_walking(stream)


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def xml_pieces(stream: IO[bytes]):
    """The XML in pieces that end at a '>', so that no tag is cut in two."""
    rest = b""
    while chunk := stream.read(_CHUNK):
        data = rest + chunk
        cut = data.rfind(b">") + 1
        yield data[:cut]
        rest = data[cut:]
    if rest:
        yield rest


def _by_references(stream: IO[bytes]) -> tuple[int, int] | None:
    """The extent from the references, or None if any row or cell may lack one."""
    last_row, widest = 0, 26  # without a two-letter reference, no column lies beyond Z
    for piece in xml_pieces(stream):
        if any(pattern.search(piece) for pattern in _IRREGULAR):
            return None
        numbers = _ROW_REF.findall(piece)
        if numbers:
            last_row = max(last_row, max(map(int, numbers)))
        widest = max([widest, *(column_number(letters) for letters in set(_WIDE_REF.findall(piece)))])
    return (last_row, widest) if last_row else (0, 0)


def _by_walking(stream: IO[bytes]) -> tuple[int, int]:
    row = column = last_row = last_column = 0
    for piece in xml_pieces(stream):
        for tag in _TAG.finditer(piece):
            ref = _REF.search(tag.group(2))
            if tag.group(1) == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                column = 0
                continue
            column = column_number(ref.group(1)) if ref and ref.group(1) else column + 1
            if ref and ref.group(2):
                row = int(ref.group(2))
            last_row, last_column = max(last_row, row), max(last_column, column)
    return last_row, last_column
