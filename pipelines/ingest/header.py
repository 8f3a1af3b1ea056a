"""Find the header row of a sheet and recognise the file kind from it (never from the file name)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .kinds import KINDS, Column, Kind

HEADER_SEARCH_ROWS = 10  # title rows above the header: EXPORTS.md allows 1–3

# A unit in brackets after the name (NFKC has made ㎡ and m² into m2). 万元 and 公里 change what the
# values mean: the column's reader is told (HeaderMatch.units).
_UNIT_SUFFIX = re.compile(r"\((m2|平方米|平米|元|万元|米|m|公里|千米|km|个|人|户|年)\)$", re.IGNORECASE)


def _split_header(cell: str | None) -> tuple[str, str | None]:
    """(name, unit): `建筑面积（㎡）`, ` 姓名* `, `身份证\\n号码`, `使用金额（万元）` → (`建筑面积`, `m2`),
    (`姓名`, None), (`身份证号码`, None), (`使用金额`, `万元`)."""
    if not cell:
        return "", None
    text = unicodedata.normalize("NFKC", cell)
    text = re.sub(r"\s+", "", text).strip("*")
    unit = _UNIT_SUFFIX.search(text)
    return _UNIT_SUFFIX.sub("", text).rstrip("*"), unit and unit.group(1).lower()


def _lookup(kind: Kind) -> dict[str, Column]:
    names: dict[str, Column] = {}
    for column in kind.columns:
        names[column.header] = column
        for alias in column.aliases:
            names[alias] = column
    return names


_LOOKUPS = {kind.name: _lookup(kind) for kind in KINDS}


@dataclass
class HeaderMatch:
    kind: Kind
    row_index: int  # index of the header record in the sheet
    columns: list[Column | None]  # per cell of the header: the known column, or None (kept as extra)
    headers: list[str]  # the header cells as written (for extra columns and error messages)
    missing_required: list[Column]
    units: list[str | None]  # per cell of the header: the unit it states in brackets (_split_header)


def find_header(records: list[list[str | None]]) -> HeaderMatch | None:
    """The best (kind, row) among the first rows, scored by required columns found, then all columns."""
    best: tuple[tuple[float, int], HeaderMatch] | None = None
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        split = [_split_header(c) for c in record]
        cells = [name for name, _ in split]
        if sum(1 for c in cells if c) < 2:
            continue
        for kind in KINDS:
            lookup = _LOOKUPS[kind.name]
            matched = [lookup.get(c) for c in cells]
            found = {col.name for col in matched if col}
            required_found = sum(1 for col in kind.required if col.name in found)
            # A header must carry most of its kind's required columns to count as that kind;
            # a file missing one is then quarantined with that column named.
            if len(found) < 3 or required_found / len(kind.required) < 0.6:
                continue
            score = (required_found / len(kind.required), len(found))
            if best is None or score > best[0]:
                missing = [col for col in kind.required if col.name not in found]
                best = (score, HeaderMatch(kind, index, _dedupe(matched), [c or "" for c in record], missing, [unit for _, unit in split]))
    return best[1] if best else None


def _dedupe(matched: list[Column | None]) -> list[Column | None]:
    """A column written twice keeps its first occurrence; the second is kept as an extra column."""
    seen: set[str] = set()
    out = []
    for col in matched:
        if col and col.name in seen:
            out.append(None)
        else:
            out.append(col)
            if col:
                seen.add(col.name)
    return out
