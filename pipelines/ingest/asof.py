"""The date a file speaks for: a snapshot's as-of date or a ledger's export date (EXPORTS.md).

Read from the file name first, then from the title rows; failing both, the caller uses arrival time.
A period (`20250601-20250630`, `2025年6月`, `202506`, `截至2025年6月`) stands for its last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

_D = r"(?<!\d)"
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(_D + r"(\d{8})\s*[-—~至到]\s*(\d{8})(?!\d)"), "range8"),
    (re.compile(_D + r"(\d{4})年(\d{1,2})月(\d{1,2})日"), "ymd"),
    (re.compile(_D + r"(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(_D + r"(\d{4})(\d{2})(\d{2})(?!\d)"), "ymd"),
    (re.compile(_D + r"(\d{4})年(\d{1,2})月(?!\d)"), "ym"),
    (re.compile(_D + r"(\d{4})(\d{2})(?!\d)"), "ym"),
]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _parse(match: re.Match, form: str) -> dt.date | None:
    try:
        if form == "range8":
            end = match.group(2)
            return dt.date(int(end[:4]), int(end[4:6]), int(end[6:]))
        year, month = int(match.group(1)), int(match.group(2))
        if not 1990 <= year <= 2100:
            return None
        if form == "ym":
            return _month_end(year, month)
        return dt.date(year, month, int(match.group(3)))
    except ValueError:
        return None


# 截至 (or 截止) marks the date a file speaks for; a 填报日期 beside it is only when it was filled in.
_AS_OF_MARK = re.compile(r"截[至止]")


def date_in_text(text: str | None) -> dt.date | None:
    """The date a text states after its last 截至, else the latest date it states, by the first
    pattern (most specific first) that matches."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    marks = list(_AS_OF_MARK.finditer(text))
    if marks and (after := _latest_date(text[marks[-1].end():])):
        return after
    return _latest_date(text)


def _latest_date(text: str) -> dt.date | None:
    for pattern, form in _PATTERNS:
        dates = [d for m in pattern.finditer(text) if (d := _parse(m, form))]
        if dates:
            return max(dates)
    return None


def stated_date(file_name: str, title_rows: list[list[str | None]]) -> tuple[dt.date | None, str]:
    """(date, where it came from): 'file name', 'title row', or (None, '') when neither states one."""
    found = date_in_text(file_name.rsplit(".", 1)[0])
    if found:
        return found, "file name"
    for row in title_rows:
        found = date_in_text(" ".join(c for c in row if c))
        if found:
            return found, "title row"
    return None, ""
