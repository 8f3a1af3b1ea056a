"""XLSX files written part by part, for files no spreadsheet program would write: a sheet of a
million rows in seconds, a zip bomb, a sheet whose two cells sit at opposite corners.

A workbook here is the five parts Excel needs to open it, with one sheet whose cells are inline
strings (no shared-strings part). The bomb's sheet part is deflated once per 16 MiB block and the
block's compressed bytes repeated (a full flush resets the compressor, so every block compresses
to the same bytes): gigabytes of XML cost a few megabytes and about a second.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

SHEET_PART = "xl/worksheets/sheet1.xml"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
).encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA, 16383 → XFD."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(row_number: int, cells: Iterable[str | None], first_column: int = 0) -> str:
    """One <row> of inline-string cells (row_number is 1-based, as in the sheet)."""
    out = [f'<row r="{row_number}">']
    for i, value in enumerate(cells, start=first_column):
        if value is not None:
            out.append(f'<c r="{column_letters(i)}{row_number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
    out.append("</row>")
    return "".join(out)


def write_xlsx(path: Path, sheet_rows: Iterable[str]) -> Path:
    """A workbook whose one sheet holds the given <row> elements (see row_xml), streamed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in _PARTS.items():
            z.writestr(name, text)
        with z.open(SHEET_PART, "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD)
            batch: list[str] = []
            for row in sheet_rows:
                batch.append(row)
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write("".join(batch).encode() + SHEET_TAIL)
    return path


def write_bomb(path: Path, expanded_bytes: int, declared_bytes: int | None = None) -> Path:
    """A workbook whose sheet part inflates to `expanded_bytes` of real rows (< 4 GiB: no zip64).

    `declared_bytes` makes the zip headers state another size than the truth (a lying bomb)."""
    # A row, then whitespace (allowed between rows, and deflate's best case): 16 MiB per block.
    row = '<row r="1"><c r="A1" t="inlineStr"><is><t>炸弹</t></is></c></row>'.encode()
    block = row + b" " * ((1 << 24) - len(row))
    blocks = max(1, (expanded_bytes - len(SHEET_HEAD) - len(SHEET_TAIL)) // len(block))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(SHEET_HEAD) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(SHEET_TAIL) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(SHEET_HEAD)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(SHEET_TAIL, crc)
    size = len(SHEET_HEAD) + blocks * len(block) + len(SHEET_TAIL)

    entries = [(name, text.encode()) for name, text in _PARTS.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    central = []
    with path.open("wb") as out:
        for name, data in entries:
            deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = deflater.compress(data) + deflater.flush()
            central.append(_local_entry(out, name, [packed], zlib.crc32(data), len(packed), len(data)))
        compressed = len(head) + blocks * len(repeated) + len(tail)
        chunks = [head, *([repeated] * blocks), tail]
        central.append(_local_entry(out, SHEET_PART, chunks, crc, compressed, declared_bytes if declared_bytes is not None else size))
        start = out.tell()
        for name, crc_, compressed_, size_, offset in central:
            encoded = name.encode()
            out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc_, compressed_, size_,
                                  len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        end = out.tell()
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), end - start, start, 0))
    return path


def _local_entry(out, name: str, chunks: list[bytes], crc: int, compressed: int, size: int) -> tuple:
    offset = out.tell()
    encoded = name.encode()
    out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, compressed, size, len(encoded), 0) + encoded)
    for chunk in chunks:
        out.write(chunk)
    return name, crc, compressed, size, offset
