"""Value normalisation for departmental exports (EXPORTS.md, "The mess catalogue").

Every public function takes a pandas Series of raw cell values (strings; None/NaN where missing)
and normalises a value only where its meaning is certain; anything else gets a short English
`problem`, and a value that was changed or dropped but still loads gets a `warning`. Blank input
(None, "", whitespace) gives a missing value and no problem: whether blank is allowed is the
loader's decision, as is whether a problem rejects the row.

Speed: a column of millions of rows holds far fewer distinct values (dates, categories, amounts),
so every parser runs once per distinct raw value and the result is mapped back (`_per_unique`).
Inside a parser the work is vectorised with pandas `.str` methods and numpy; plain Python runs only
where a value needs it (NFKC of non-ASCII text, Chinese numerals, multi-valued lists).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date as Date
from functools import partial
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Normalized:
    value: pd.Series  # normalised values; missing where blank or invalid
    problem: pd.Series  # None where fine, else a short reason
    warning: pd.Series  # None, or a note on a value that was changed or dropped but loads


# ---------------------------------------------------------------------------------------------
# Plumbing: run a parser once per distinct raw value, collect problems and warnings.

Parser = Callable[[pd.Series], pd.DataFrame]  # distinct raw values -> value/problem/warning columns


def _normalize(raw: pd.Series, parse: Parser) -> Normalized:
    frame = _per_unique(raw, parse)
    return Normalized(frame["value"].rename(raw.name), frame["problem"], frame["warning"])


def _per_unique(raw: pd.Series, parse: Parser) -> pd.DataFrame:
    codes, uniques = pd.factorize(raw, use_na_sentinel=False)
    parsed = parse(_as_text(uniques))
    for notes in ("problem", "warning"):
        parsed[notes] = parsed[notes].astype(object).where(parsed[notes].notna(), None)
    parsed = parsed.iloc[codes]
    parsed.index = raw.index
    return parsed


def _as_text(values) -> pd.Series:
    """Distinct raw values as a `str` Series. XLSX readers hand over numbers and datetimes."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return pd.Series(values, dtype="str")
    return pd.Series([_cell_text(v) for v in values], dtype="str")


def _cell_text(value) -> str | None:
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return None
    # A whole float below 2**53 is exact, so 13812345678.0 is the phone 13812345678; larger floats
    # keep their repr (an 18-digit ID becomes 4.2e+17, which resident_id rejects).
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _result(value: pd.Series, problem: pd.Series, warning: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"value": value.where(problem.isna()), "problem": problem, "warning": warning})


def _first_problem(index: pd.Index, *rules: tuple[pd.Series, str | pd.Series]) -> pd.Series:
    """One reason per value: the first rule whose mask holds. A reason may differ per value."""
    problem = _no_notes(index)
    for mask, reason in reversed(rules):
        mask = mask.fillna(False).to_numpy(dtype=bool)
        if mask.any():
            problem[mask] = reason[mask] if isinstance(reason, pd.Series) else reason
    return problem


def _no_notes(index: pd.Index) -> pd.Series:
    return pd.Series(np.full(len(index), None, dtype=object), index=index)


def _add_note(notes: pd.Series, mask: pd.Series, note: str) -> pd.Series:
    mask = mask.fillna(False).to_numpy(dtype=bool)
    if not mask.any():
        return notes
    added = notes.copy()
    added[mask & notes.isna().to_numpy()] = note
    both = mask & notes.notna().to_numpy()
    added[both] = notes[both] + "; " + note
    return added


# Regular expressions run in Arrow's RE2: pandas' own `.str.extract` loops in Python, and `\d`
# there would accept any Unicode digit. Patterns must not use lookaround or backreferences.


def _matches(text: pd.Series, pattern: str) -> pd.Series:
    """True where the whole text matches."""
    return _contains(text, f"^(?:{pattern})$")


def _contains(text: pd.Series, pattern: str) -> pd.Series:
    found = pc.match_substring_regex(_arrow(text), pattern).fill_null(False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=text.index)


def _replace(text: pd.Series, pattern: str, replacement: str) -> pd.Series:
    return _from_arrow(pc.replace_substring_regex(_arrow(text), pattern, replacement), text.index)


def _extract(text: pd.Series, pattern: str, ignore_case: bool = False) -> pd.DataFrame:
    """Named groups of a whole-text match; missing where the text or the group did not match."""
    flags = "(?i)" if ignore_case else ""
    found = pc.extract_regex(_arrow(text), f"{flags}^(?:{pattern})$")
    groups = {field.name: _from_arrow(column, text.index) for field, column in zip(found.type, found.flatten())}
    return pd.DataFrame({name: group.where(group != "") for name, group in groups.items()}, index=text.index)


def _arrow(text: pd.Series) -> pa.Array:
    return pa.array(text, type=pa.large_string(), from_pandas=True)


def _from_arrow(array: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pd.array(array, dtype="str"), index=index)


# ---------------------------------------------------------------------------------------------
# Text

_WHITESPACE = "[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"  # real characters for RE2
# Zero-width characters separate nothing visible, so they are deleted rather than made spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))
# Excel's apostrophe forces a number to be kept as text; `'4201…X` is an ID, hence the X.
_APOSTROPHE_NUMBER = r"'[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[xX]?"


def clean_text(s: pd.Series) -> Normalized:
    """NFKC, whitespace collapsed and stripped, NUL bytes, stray BOMs and Excel's apostrophe removed."""
    return _normalize(s, _parse_text)


def _parse_text(raw: pd.Series) -> pd.DataFrame:
    text, warning = _clean(raw)
    return _result(text, _no_notes(raw.index), warning)


def _clean(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    # Each step touches only the values that need it: most cells are short ASCII and already clean.
    warning = _no_notes(raw.index)
    has_nul = raw.str.contains("\x00", regex=False, na=False)
    text = _transform_where(raw, has_nul, lambda odd: odd.str.replace("\x00", "", regex=False))
    non_ascii = _non_ascii(text)
    # A BOM at the very start of a file is the decoder's business; one inside a value is debris.
    has_bom = non_ascii & text.str.contains("\ufeff", regex=False, na=False)
    text = _transform_where(text, non_ascii, lambda odd: odd.map(_nfkc_visible))
    text = _transform_where(text, _contains(text, _WHITESPACE), lambda odd: _replace(odd, _WHITESPACE, " ").str.strip())
    apostrophe = text.str.startswith("'", na=False)
    apostrophe[apostrophe] = _matches(text[apostrophe], _APOSTROPHE_NUMBER)
    text = _transform_where(text, apostrophe, lambda odd: odd.str[1:])
    warning = _add_note(warning, has_nul, "NUL byte removed")
    warning = _add_note(warning, has_bom, "byte-order mark removed")
    warning = _add_note(warning, apostrophe, "leading apostrophe stripped")
    return text.where(text != ""), warning


# How a spreadsheet shows a number too long for it (`4.20102E+17`, `2.02506010000012e+15`).
_SCIENTIFIC = r"[+-]?\d(?:\.\d+)?[eE]\+\d{1,3}"


def identifier(s: pd.Series) -> Normalized:
    """A record's own number (工单编号, 房源编号, 业务流水号, …) as clean text. One in scientific
    notation was a long number kept as a number: its last digits are gone, so two records could
    share it (EXPORTS.md: unrecoverable)."""
    return _normalize(s, _parse_identifier)


def _parse_identifier(raw: pd.Series) -> pd.DataFrame:
    text, warning = _clean(raw)
    problem = _first_problem(raw.index, (_matches(text, _SCIENTIFIC), "number in scientific notation: its last digits are lost"))
    return _result(text, problem, warning)


def _transform_where(text: pd.Series, mask: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    if not mask.any():
        return text
    changed = text.copy()
    changed[mask] = transform(text[mask])
    return changed


def _non_ascii(text: pd.Series) -> pd.Series:
    ascii_only = pc.string_is_ascii(_arrow(text)).fill_null(True)
    return pd.Series(~ascii_only.to_numpy(zero_copy_only=False), index=text.index)


def _nfkc_visible(text: str) -> str:
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE))


# ---------------------------------------------------------------------------------------------
# Resident ID (GB 11643, ISO 7064 MOD 11-2)

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK_CHARS = np.array(list("10X98765432"))
_EARLIEST_BIRTH = pd.Timestamp("1900-01-01")


def resident_id(s: pd.Series, as_of: Date | None = None) -> Normalized:
    """18-character upper-case ID; 15-digit legacy IDs converted. Birth dates after `as_of` (default today) are invalid."""
    today = pd.Timestamp(as_of or Date.today())
    return _normalize(s, partial(_parse_resident_id, today=today))


def _parse_resident_id(raw: pd.Series, today: pd.Timestamp) -> pd.DataFrame:
    text, warning = _clean(raw)
    text = text.str.replace(" ", "", regex=False).str.upper()
    is18 = _matches(text, r"\d{17}[\dX]")
    # The remaining checks look only at the few values that are not 18 characters long.
    other = text[text.notna() & ~is18]
    is15 = _matches(other, r"\d{15}").reindex(text.index, fill_value=False)
    upgraded = _transform_where(text, is15, lambda legacy: legacy.str[:6] + "19" + legacy.str[6:])
    body = upgraded.str[:17].where(is18 | is15)
    digits = _digit_matrix(body)
    check = _check_characters(digits, body)
    ids = body + check
    birth = _birth_dates(digits, body)
    problem = _first_problem(
        text.index,
        (_matches(other, r"\d+(?:\.\d+)?E[+-]?\d+").reindex(text.index), "ID in scientific notation"),
        (~_matches(other, r"\d+X?").reindex(text.index, fill_value=True), "invalid characters in ID"),
        (text.notna() & ~(is18 | is15), "wrong length"),
        (is18 & (text.str[17] != check), "bad check character"),
        (ids.notna() & ~birth.between(_EARLIEST_BIRTH, today), "invalid birth date in ID"),
    )
    warning = _add_note(warning, is15, "15-digit ID converted to 18")
    return _result(ids, problem, warning)


def _digit_matrix(body: pd.Series) -> np.ndarray:
    """One row of 17 digits per 17-digit body (zeros where the body is missing)."""
    text = "".join(body.fillna("0" * 17).tolist())
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(-1, 17).astype(np.int64) - ord("0")


def _check_characters(digits: np.ndarray, body: pd.Series) -> pd.Series:
    """ISO 7064 MOD 11-2 check character of each body."""
    check = _ID_CHECK_CHARS[(digits @ _ID_WEIGHTS) % 11]
    return pd.Series(check, index=body.index, dtype="str").where(body.notna())


def _birth_dates(digits: np.ndarray, body: pd.Series) -> pd.Series:
    def number(first: int, last: int) -> np.ndarray:
        return digits[:, first:last] @ 10 ** np.arange(last - first - 1, -1, -1)

    birth = _dates_from_parts(body.index, number(6, 10), number(10, 12), number(12, 14))
    return birth.where(body.notna())


def id_birth_date(ids: pd.Series) -> pd.Series:
    """Birth date inside normalised 18-character IDs (NaT where missing, malformed or impossible)."""
    body = _id_body(ids)
    return _birth_dates(_digit_matrix(body), body)


def id_sex(ids: pd.Series) -> pd.Series:
    """男 where the 17th digit of a normalised ID is odd, else 女; missing where the ID is."""
    odd = ids.str[16].isin(list("13579"))
    return pd.Series(np.where(odd, "男", "女"), index=ids.index, dtype="str").where(_id_body(ids).notna())


def _id_body(ids: pd.Series) -> pd.Series:
    text = ids.astype("str")
    return text.str[:17].where(_matches(text, r"\d{17}[\dX]"))


# ---------------------------------------------------------------------------------------------
# Dates, timestamps, months

_CLOCK = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
_DATETIME_PATTERNS = (
    rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?:[ T]{_CLOCK})?",
    rf"(?P<year>\d{{4}})/(?P<month>\d{{1,2}})/(?P<day>\d{{1,2}})(?:[ T]{_CLOCK})?",
    rf"(?P<year>\d{{4}})\.(?P<month>\d{{1,2}})\.(?P<day>\d{{1,2}})(?:[ T]{_CLOCK})?",
    rf"(?P<year>\d{{4}})年(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})[日号](?: ?{_CLOCK})?",
    rf"(?P<year>\d{{4}})(?P<month>\d{{2}})(?P<day>\d{{2}})(?:[ T]{_CLOCK})?",
)
_MONTH_PATTERNS = (
    r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})",
    r"(?P<year>\d{4})年(?P<month>\d{1,2})月份?",
    r"(?P<year>\d{4})(?P<month>\d{2})",
)
_FIRST_YEAR, _LAST_YEAR = 1900, 2100
# Excel counts days from 1899-12-30 (it believes 1900-02-29 existed; irrelevant from 1900-03-01).
# Only five-digit serials are dates, 10000 (1927-05-18) to 73415 (2100-12-31): a four-digit number
# in a date column is far more likely a year typed as a number (2024 would be 1905-07-16).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_LAST_SERIAL = 73415


def date(s: pd.Series, excel_serial: bool = False, not_after: Date | None = None) -> Normalized:
    """Calendar date (datetime64 at midnight). `excel_serial`: the values come from XLSX cells."""
    return _normalize(s, partial(_parse_date, excel_serial=excel_serial, not_after=not_after, keep_time=False))


def timestamp(s: pd.Series, excel_serial: bool = False, not_after: Date | None = None) -> Normalized:
    """Date and time (datetime64, seconds); a date alone is 00:00:00."""
    return _normalize(s, partial(_parse_date, excel_serial=excel_serial, not_after=not_after, keep_time=True))


def month(s: pd.Series, excel_serial: bool = False) -> Normalized:
    """First day of the month (datetime64); a full date gives its month."""
    return _normalize(s, partial(_parse_month, excel_serial=excel_serial))


def _parse_date(raw: pd.Series, excel_serial: bool, not_after: Date | None, keep_time: bool) -> pd.DataFrame:
    text, warning = _clean(raw)
    moment, problem = _datetime_from_text(text, excel_serial)
    if not keep_time:
        moment = moment.dt.normalize()
    if not_after is not None:
        future = problem.isna() & (moment.dt.normalize() > pd.Timestamp(not_after))
        problem = problem.mask(future, "date in the future")
    return _result(moment, problem, warning)


def _parse_month(raw: pd.Series, excel_serial: bool) -> pd.DataFrame:
    text, warning = _clean(raw)
    parts = _extract_numbers(text, _MONTH_PATTERNS, ["year", "month"])
    as_date, date_problem = _datetime_from_text(text.where(parts["year"].isna()), excel_serial)
    from_date = as_date.notna()
    parts.loc[from_date, "year"] = as_date[from_date].dt.year
    parts.loc[from_date, "month"] = as_date[from_date].dt.month
    first_day = _dates_from_parts(text.index, parts["year"], parts["month"], 1)
    # A full date with an impossible day keeps the date's reason rather than "unparseable month".
    shaped_like_date = date_problem.notna() & (date_problem != "unparseable date")
    problem = _first_problem(
        text.index,
        (shaped_like_date, date_problem),
        (text.notna() & parts["year"].isna(), "unparseable month"),
        (~parts["year"].between(_FIRST_YEAR, _LAST_YEAR) & parts["year"].notna(), "month out of range"),
        (parts["year"].notna() & first_day.isna(), "impossible month"),
    )
    return _result(first_day, problem, warning)


def _datetime_from_text(text: pd.Series, excel_serial: bool) -> tuple[pd.Series, pd.Series]:
    parts = _extract_numbers(text, _DATETIME_PATTERNS, ["year", "month", "day", "hour", "minute", "second"])
    matched = parts["year"].notna()
    day = _dates_from_parts(text.index, parts["year"], parts["month"], parts["day"])
    clock = parts[["hour", "minute", "second"]].fillna(0)
    seconds = clock["hour"] * 3600 + clock["minute"] * 60 + clock["second"]
    moment = (day + pd.to_timedelta(seconds, unit="s")).astype("datetime64[s]")
    serial = _excel_serial(text.where(~matched)) if excel_serial else pd.Series(np.nan, index=text.index)
    in_serial_range = serial < _EXCEL_LAST_SERIAL + 1
    from_serial = _EXCEL_EPOCH + pd.to_timedelta((serial * 86400).round(), unit="s")
    moment = moment.where(~in_serial_range, from_serial.astype("datetime64[s]"))
    problem = _first_problem(
        text.index,
        (text.notna() & ~matched & serial.isna(), "unparseable date"),
        (serial.notna() & ~in_serial_range, "Excel serial date out of range"),
        (matched & ~parts["year"].between(_FIRST_YEAR, _LAST_YEAR), "date out of range"),
        (matched & day.isna(), "impossible date"),
        ((clock["hour"] > 23) | (clock["minute"] > 59) | (clock["second"] > 59), "impossible time"),
    )
    return moment.where(problem.isna()), problem


def _dates_from_parts(index: pd.Index, year, month, day) -> pd.Series:
    """datetime64[s] from numeric parts (arrays or scalars); NaT where a part is missing or the day does not exist.

    Plain numpy date arithmetic: pandas' string parsing is slow on millions of distinct birth dates.
    """
    year, month, day = (np.broadcast_to(np.asarray(part, dtype=float), (len(index),)) for part in (year, month, day))
    known = ~(np.isnan(year) | np.isnan(month) | np.isnan(day))
    known &= (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1)
    first_of_month = np.where(known, (year - 1970) * 12 + month - 1, 0).astype(np.int64).astype("datetime64[M]")
    dates = first_of_month.astype("datetime64[D]") + np.where(known, day - 1, 0).astype(np.int64)
    exists = known & (dates.astype("datetime64[M]") == first_of_month)
    return pd.Series(np.where(exists, dates, np.datetime64("NaT")).astype("datetime64[s]"), index=index)


def _excel_serial(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.where(_matches(text, r"[1-9]\d{4}(?:\.\d+)?")), errors="coerce")


def _extract_numbers(text: pd.Series, patterns: tuple[str, ...], columns: list[str]) -> pd.DataFrame:
    """Numbers captured by the first pattern that matches each text; NaN where none does."""
    parts = pd.DataFrame(np.nan, index=text.index, columns=columns)
    for pattern in patterns:
        todo = parts[columns[0]].isna() & text.notna()
        if not todo.any():
            break
        found = _extract(text[todo], pattern).dropna(subset=[columns[0]])
        parts.loc[found.index, found.columns] = found.apply(pd.to_numeric).to_numpy(dtype=float)
    return parts


# ---------------------------------------------------------------------------------------------
# Numbers

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?"  # thousands commas only where they group by 3
_AMOUNT = r"(?:¥ ?)?(?P<sign>[+-])?(?:¥ ?)?(?P<integer>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d*))? ?(?P<unit>万元|万|元)?"
_AMOUNT_MAX_DIGITS = 13  # ten trillion yuan: beyond it the cents no longer fit comfortably in int64
_WAN = 4  # 万 = 10**4 yuan
_AREA_RANGE = (5, 500)
_COUNT_UNITS = "年户套分个栋部台人"
_LENGTH_UNITS = {"": 1, "米": 1, "M": 1, "公里": 1000, "千米": 1000, "KM": 1000}


def amount(s: pd.Series, unit: str | None = None) -> Normalized:
    """Yuan as float64, rounded half-up to the cent on the decimal text (not on a binary float).
    An amount in 万元 (its own unit, or else the header's `unit`) is converted to yuan."""
    return _normalize(s, partial(_parse_amount, header_in_wan=unit == "万元"))


def _parse_amount(raw: pd.Series, header_in_wan: bool = False) -> pd.DataFrame:
    text, warning = _clean(raw)
    text = text.str.replace("\u2212", "-", regex=False)  # MINUS SIGN, which NFKC leaves alone
    parts = _extract(text, _AMOUNT)
    integer = parts["integer"].str.replace(",", "", regex=False)
    stated = parts["unit"]
    in_wan = np.where(stated.isna(), header_in_wan, stated.str.startswith("万"))
    shift = pd.Series(np.where(in_wan, _WAN, 0), index=text.index)
    fits = integer.str.len() + shift <= _AMOUNT_MAX_DIGITS
    cents = _cents(integer[fits], parts["fraction"][fits], shift[fits])
    value = (cents.where(parts["sign"][fits] != "-", -cents) / 100).reindex(text.index)
    problem = _first_problem(
        text.index,
        # Accounting brackets are not how Chinese exports write a negative: the sign is a guess.
        (_matches(text, r"\(.*\)"), "amount in parentheses: sign uncertain"),
        (text.notna() & integer.isna(), "unparseable amount"),
        (integer.notna() & ~fits, "amount too large"),
    )
    return _result(value, problem, warning)


def _cents(integer: pd.Series, fraction: pd.Series, shift: pd.Series) -> pd.Series:
    """integer.fraction × 10**shift, in cents: the decimal point moved on the text, then rounded half-up."""
    cents = pd.Series(0, index=integer.index, dtype="int64")
    for places in shift.unique():
        at = (shift == places).to_numpy()
        digits = fraction[at].fillna("").str.pad(3 + places, side="right", fillchar="0")
        round_up = digits.str[2 + places].astype("int64") >= 5
        cents[at] = (integer[at].astype("int64") * 10 ** (2 + places) + digits.str[: 2 + places].astype("int64")
                     + round_up.astype("int64"))
    return cents


def area(s: pd.Series) -> Normalized:
    """Floor area in ㎡ (float); outside 5–500 ㎡ is implausible."""
    return _normalize(s, _parse_area)


def _parse_area(raw: pd.Series) -> pd.DataFrame:
    text, warning = _clean(raw)  # NFKC has turned ㎡ and m² into m2
    number = _extract(text, f"(?P<number>{_NUMBER}) ?(?:m2|平方米|平米|平方)?", ignore_case=True)["number"]
    value = _to_float(number)
    problem = _first_problem(
        text.index,
        (text.notna() & number.isna(), "unparseable area"),
        (value.notna() & ~value.between(*_AREA_RANGE), "implausible area"),
    )
    return _result(value, problem, warning)


def integer(s: pd.Series) -> Normalized:
    """Whole numbers (Int64); a trailing count unit such as 年, 户 or 套 is dropped."""
    return _normalize(s, _parse_integer)


def _parse_integer(raw: pd.Series) -> pd.DataFrame:
    text, warning = _clean(raw)
    parts = _extract(text, f"(?P<sign>[+-])?(?P<number>{_NUMBER}) ?[{_COUNT_UNITS}]?")
    value = _signed(_to_float(parts["number"]), parts["sign"])
    whole = value.notna() & (value % 1 == 0)
    problem = _first_problem(
        text.index,
        (text.notna() & value.isna(), "unparseable number"),
        (value.notna() & ~whole, "not a whole number"),
    )
    return _result(value.where(whole).astype("Int64"), problem, warning)


def decimal(s: pd.Series, unit: str | None = None) -> Normalized:
    """Decimal numbers (float64); lengths in 米/m stay, in 公里/千米/km become metres. A value without
    a unit of its own is in the header's `unit`, if that is a length."""
    length = (unit or "").upper()
    return _normalize(s, partial(_parse_decimal, header_unit=length if length in _LENGTH_UNITS else ""))


def _parse_decimal(raw: pd.Series, header_unit: str = "") -> pd.DataFrame:
    text, warning = _clean(raw)
    units = "|".join(unit for unit in _LENGTH_UNITS if unit)
    parts = _extract(text, f"(?P<sign>[+-])?(?P<number>{_NUMBER}|\\.\\d+) ?(?P<unit>{units})?", ignore_case=True)
    scale = parts["unit"].fillna(header_unit).str.upper().map(_LENGTH_UNITS).astype(float)
    value = _signed(_to_float(parts["number"]), parts["sign"]) * scale
    # 0.85 km * 1000 can come out as 849.9999…; rounding to the millimetre removes the binary noise.
    value = value.where(scale == 1, value.round(3))
    problem = _first_problem(text.index, (text.notna() & value.isna(), "unparseable number"))
    return _result(value, problem, warning)


def _to_float(number: pd.Series) -> pd.Series:
    return pd.to_numeric(number.str.replace(",", "", regex=False), errors="coerce").astype(float)


def _signed(value: pd.Series, sign: pd.Series) -> pd.Series:
    return value.where(sign != "-", -value)


# ---------------------------------------------------------------------------------------------
# Phones

_NO_PHONE = {"无", "暂无", "没有", "-", "--", "/", "—", "——"}
_MOBILE = r"1[3-9]\d{9}"
_MASKED_MOBILE = r"1[\d*]{10}"  # 138****5678; kept masked, it still counts as "a phone was given"
# Area codes 010 and 02x have three digits and 8-digit local numbers; all others have four digits
# and 7- or 8-digit local numbers. That makes the split of an unseparated landline certain.
_LANDLINE = r"(?P<area>010|02\d|0[3-9]\d{2})(?P<local>[2-9]\d{6,7})"


def phone(s: pd.Series) -> Normalized:
    """Mobile `13812345678`, landline `027-88886666`, masked `138****5678` kept; 无/-// are blank."""
    return _normalize(s, _parse_phone)


def phone_is_masked(values: pd.Series) -> pd.Series:
    """True where a normalised phone is masked (`138****5678`)."""
    return values.str.contains("*", regex=False, na=False)


def _parse_phone(raw: pd.Series) -> pd.DataFrame:
    text, warning = _clean(raw)
    text = text.where(~text.isin(_NO_PHONE))
    several = _contains(text, "[/、,;]|或")
    digits = _national_number(_replace(text, r"[ \-().]", ""))
    mobile = _matches(digits, _MOBILE) | (_matches(digits, _MASKED_MOBILE) & digits.str.contains("*", regex=False))
    landline = _extract(digits, _LANDLINE)
    landline_ok = landline["area"].notna() & ((landline["area"].str.len() == 4) | (landline["local"].str.len() == 8))
    value = digits.where(mobile, (landline["area"] + "-" + landline["local"]).where(landline_ok))
    problem = _first_problem(
        text.index,
        (several, "several phone numbers"),
        (text.notna() & value.isna() & _matches(digits, r"[2-9]\d{6,7}"), "landline without area code"),
        (text.notna() & value.isna(), "invalid phone"),
    )
    return _result(value, problem, warning)


def _national_number(digits: pd.Series) -> pd.Series:
    """Drop the country code: +86/0086 always, a bare 86 only before a mobile number."""
    international = _extract(digits, r"(?:\+86|0086)(?P<rest>\d+)")["rest"]
    # Dialled from abroad a landline loses its trunk 0: +86 27 8888 6666 is 027-8888 6666.
    international = international.where(_contains(international, "^[01]"), "0" + international)
    bare = _extract(digits, f"86(?P<rest>{_MOBILE})")["rest"]
    return international.fillna(bare).fillna(digits)


# ---------------------------------------------------------------------------------------------
# Categories (EXPORTS.md vocabularies). Only synonyms whose meaning is certain are listed.


def _vocabulary(canonical: list[str], synonyms: dict[str, str] | None = None) -> dict[str, str]:
    """Spelling -> canonical value; every canonical value spells itself."""
    return {**{value: value for value in canonical}, **(synonyms or {})}


RELATION_TO_HEAD = _vocabulary(
    ["户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他"],
    {
        "本人": "户主",
        **dict.fromkeys(["妻", "妻子", "夫", "丈夫"], "配偶"),
        **dict.fromkeys(["子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女"], "子女"),
        **dict.fromkeys(["父", "母", "父亲", "母亲"], "父母"),
        **dict.fromkeys(["孙子", "孙女", "外孙", "外孙子", "外孙女"], "孙子女"),  # as GB/T 4761 groups them
        **dict.fromkeys(["兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"], "兄弟姐妹"),
    },
)
# Digit codes are left out on purpose: GB/T 2261.1 has 1 = 男, 2 = 女, but many systems use 1/0 or 0/1.
SEX = _vocabulary(["男", "女"], {"男性": "男", "女性": "女", "M": "男", "F": "女", "MALE": "男", "FEMALE": "女"})
RESETTLEMENT_TYPE = _vocabulary(
    ["城镇棚改", "农村拆迁", "旧城改造"],
    {"棚改": "城镇棚改", "棚户区改造": "城镇棚改", "城镇棚户区改造": "城镇棚改", "拆迁": "农村拆迁", "农村": "农村拆迁", "农拆": "农村拆迁", "农村征收": "农村拆迁", "旧改": "旧城改造"},
)
# 未分配 is left out on purpose: it could mean 待分配 or 空置.
ALLOCATION_STATUS = _vocabulary(["已分配", "待分配", "空置", "已回购"], {"回购": "已回购", "已配": "已分配"})
PERSON_STATUS = _vocabulary(
    ["在册", "迁出", "死亡"],
    {"正常": "在册", "已迁出": "迁出", "已死亡": "死亡", "已故": "死亡", "去世": "死亡", "已去世": "死亡"},
)
# The 2007 维修资金 rules call the top-up 续交; 续筹 and 续交/续缴 name the same obligation.
DEPOSIT_TYPE = _vocabulary(["首期归集", "续筹"], {"首期": "首期归集", "首次归集": "首期归集", "首缴": "首期归集", "续交": "续筹", "续缴": "续筹"})
COMPLAINT_TYPE = _vocabulary(
    ["邻里纠纷", "物业服务", "公共空间", "设施报修", "政策咨询", "其他"], {"物业": "物业服务", "报修": "设施报修"}
)
WORK_ORDER_STATUS = _vocabulary(
    ["已受理", "办理中", "已办结", "已退回", "重复件"],
    {"受理": "已受理", "处理中": "办理中", "办结": "已办结", "退回": "已退回", "重复": "重复件"},
)
MEDIATION_RESULT = _vocabulary(["调解成功", "调解失败", "不适用"], {"成功": "调解成功", "失败": "调解失败"})
CALLBACK_RESULT = _vocabulary(["满意", "基本满意", "不满意", "未回访"], {"较满意": "基本满意", "不满": "不满意"})
FACILITY_TYPE = _vocabulary(
    ["电梯", "二次供水", "消防设施", "门禁", "监控", "充电桩", "养老服务站", "社区卫生服务站", "幼儿园", "四点半课堂", "老年食堂", "文化活动室"],
    {"二次供水设施": "二次供水", "消防": "消防设施", "门禁系统": "门禁", "视频监控": "监控"},
)
FACILITY_STATUS = _vocabulary(
    ["正常", "故障", "停用", "维修中"], {"运行正常": "正常", "正常运行": "正常", "有故障": "故障", "已停用": "停用", "维修": "维修中", "在修": "维修中"}
)
FUND_SOURCE = _vocabulary(
    ["维修资金", "物业", "财政", "保险"],
    {"专项维修资金": "维修资金", "住宅专项维修资金": "维修资金", "物业公司": "物业", "物业费": "物业", "财政资金": "财政", "保险理赔": "保险"},
)
SERVICE_TYPE = _vocabulary(
    ["小学", "中学", "幼儿园", "社区卫生服务中心", "公交站点", "养老服务设施", "菜市场"],
    {"初中": "中学", "高中": "中学", "公交站": "公交站点", "农贸市场": "菜市场"},
)
ACTIVITY_TYPE = _vocabulary(
    ["居民议事会", "志愿服务", "文化活动", "线上议事", "业委会选举"],
    {"议事会": "居民议事会", "志愿活动": "志愿服务", "志愿者服务": "志愿服务", "业委会换届选举": "业委会选举"},
)
# INDICATORS.md: 非常满意 or 满意 is "5 or 4 on the 1–5 scale".
SATISFACTION_SCORE = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}
SATISFACTION = _vocabulary(
    list(SATISFACTION_SCORE), {**{str(score): label for label, score in SATISFACTION_SCORE.items()}, "很满意": "非常满意", "不满": "不满意"}
)
YES_NO = _vocabulary(
    ["是", "否"], {"Y": "是", "N": "否", "YES": "是", "NO": "否", "TRUE": "是", "FALSE": "否", "1": "是", "0": "否"}
)
SPECIAL_GROUP = _vocabulary(["低保", "残疾", "独居老人", "失业", "留守儿童"], {"低保户": "低保", "残疾人": "残疾", "失业人员": "失业"})


def category(s: pd.Series, allowed: dict[str, str] | list[str]) -> Normalized:
    """Canonical category; `allowed` maps spellings to canonical values, or lists canonical values."""
    spellings = allowed if isinstance(allowed, dict) else {value: value for value in allowed}
    lookup = {_category_key(spelling): value for spelling, value in spellings.items()}
    lookup.update({_category_key(value): value for value in spellings.values()})
    return _normalize(s, partial(_parse_category, lookup=lookup))


def _category_key(spelling: str) -> str:
    # The same steps as _clean + _category_keys, for one Python string.
    return unicodedata.normalize("NFKC", spelling).replace(" ", "").lower()


def _category_keys(text: pd.Series) -> pd.Series:
    return text.str.replace(" ", "", regex=False).str.lower()


def _parse_category(raw: pd.Series, lookup: dict[str, str]) -> pd.DataFrame:
    text, warning = _clean(raw)
    value = _category_keys(text).map(lookup).astype("str")
    problem = _first_problem(text.index, (text.notna() & value.isna(), "unknown category '" + text + "'"))
    return _result(value, problem, warning)


_SPECIAL_GROUP_ORDER = list(dict.fromkeys(SPECIAL_GROUP.values()))
_SPECIAL_GROUP_LOOKUP = {_category_key(spelling): value for spelling, value in SPECIAL_GROUP.items()}
_GROUP_SEPARATORS = re.compile(r"[、,;/ ]+")  # after NFKC, ，；／ are , ; /


def special_groups(s: pd.Series) -> Normalized:
    """Several of 低保/残疾/独居老人/失业/留守儿童, canonical, in that order, joined by 、; 无 is blank."""
    return _normalize(s, _parse_special_groups)


def _parse_special_groups(raw: pd.Series) -> pd.DataFrame:
    text, warning = _clean(raw)
    text = text.where(text != "无")
    parsed = {members: _special_group_list(members) for members in text.dropna()}
    value = text.map({members: groups for members, (groups, _) in parsed.items()}).astype("str")
    problem = text.map({members: reason for members, (_, reason) in parsed.items()}).astype(object)
    return _result(value, problem, warning)


def _special_group_list(text: str) -> tuple[str | None, str | None]:
    members = [member for member in _GROUP_SEPARATORS.split(text) if member]
    unknown = [member for member in members if _category_key(member) not in _SPECIAL_GROUP_LOOKUP]
    if unknown:
        return None, f"unknown special group '{unknown[0]}'"
    found = {_SPECIAL_GROUP_LOOKUP[_category_key(member)] for member in members}
    return "、".join(group for group in _SPECIAL_GROUP_ORDER if group in found), None


# ---------------------------------------------------------------------------------------------
# Dwellings: building (楼栋) + entrance (单元) + room (房号)

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL = "[" + "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "]"
# Buildings and entrances in Chinese are written 三, 十一, 二十三 — never digit by digit like a room
# (五零一). Holding them to that form keeps 幸福家园一期三号楼 from reading as building 13.
_CN_1_TO_99 = "(?:[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])"
_BUILDING_NUMBER = rf"[A-Z]?\d{{1,3}}[A-Z]?|[A-Z]|{_CN_1_TO_99}"
_ENTRANCE_NUMBER = rf"\d{{1,2}}|[A-Z]|{_CN_1_TO_99}"
_ROOM_NUMBER = rf"[A-Z]?\d{{1,5}}[A-Z]?|{_CN_NUMERAL}{{1,6}}"
_BUILDING_MARK = "号楼|号栋|栋|幢|座|号|#楼|#"  # not 楼 alone: 3楼 is the third floor
_ROOM_MARK = "室|号|房"
_DWELLING = (
    rf"第?(?P<building>{_BUILDING_NUMBER})(?:{_BUILDING_MARK}|-)-?"
    rf"第?(?P<entrance>{_ENTRANCE_NUMBER})(?:单元|-)-?"
    rf"(?P<room>{_ROOM_NUMBER})(?:{_ROOM_MARK})?"
)
_DWELLING_PARTS = ["building", "entrance", "room"]
_UNCLEAR_SEAM = "unclear where the estate name ends"


def building(s: pd.Series) -> Normalized:
    """`3`, `3栋`, `三栋`, `3号楼`, `3幢`, `3#`, `03` → `3`; letters upper-case (`A座` → `A`)."""
    return _normalize(s, partial(_parse_part, pattern=rf"第?(?P<part>{_BUILDING_NUMBER})(?:{_BUILDING_MARK})?", what="building"))


def entrance(s: pd.Series) -> Normalized:
    """`2`, `2单元`, `二单元`, `02` → `2`."""
    return _normalize(s, partial(_parse_part, pattern=rf"第?(?P<part>{_ENTRANCE_NUMBER})(?:单元)?", what="entrance"))


def room(s: pd.Series) -> Normalized:
    """`501`, `501室`, `0501`, `五零一` → `501`; `a501` → `A501`."""
    return _normalize(s, partial(_parse_part, pattern=rf"(?P<part>{_ROOM_NUMBER})(?:{_ROOM_MARK})?", what="room"))


def dwelling(s: pd.Series) -> pd.DataFrame:
    """Whole dwelling in one string (`三号楼二单元501室`, `3#2-501`, `3-2-501`…) → building, entrance, room, problem, warning."""
    return _per_unique(s, partial(_parse_dwelling, with_estate=False))


def split_estate_and_dwelling(s: pd.Series, estate_names: pd.Series | None = None) -> pd.DataFrame:
    """房屋坐落 (`江城区幸福家园一期三号楼二单元501室`) → estate, building, entrance, room, problem, warning.

    Where the seam is unclear (阳光1003栋…), each row's own 小区名称 (`estate_names`), if its
    房屋坐落 starts with it, says where the estate ends."""
    parts = _per_unique(s, partial(_parse_dwelling, with_estate=True))
    unclear = (parts["problem"] == _UNCLEAR_SEAM).to_numpy()
    if estate_names is None or not unclear.any():
        return parts
    location = clean_text(s[unclear]).value.str.replace(" ", "", regex=False)
    estate = clean_text(estate_names[unclear]).value.str.replace(" ", "", regex=False)
    named = pd.Series([bool(e) and isinstance(loc, str) and loc.startswith(e) and len(loc) > len(e)
                       for loc, e in zip(location, estate.fillna(""))], index=location.index)
    rest = pd.Series([loc[len(e):] for loc, e in zip(location[named], estate[named])], index=location.index[named], dtype="str")
    settled = dwelling(rest)
    settled = settled[settled["problem"].isna()]
    parts.loc[settled.index, _DWELLING_PARTS] = settled[_DWELLING_PARTS]
    parts.loc[settled.index, "estate"] = estate[settled.index]
    parts.loc[settled.index, "problem"] = None
    return parts


def _parse_part(raw: pd.Series, pattern: str, what: str) -> pd.DataFrame:
    text, warning = _clean(raw)
    token = _extract(text.str.replace(" ", "", regex=False), pattern, ignore_case=True)["part"]
    value = _canonical_tokens(token)
    problem = _first_problem(text.index, (text.notna() & value.isna(), f"unparseable {what}"))
    return _result(value, problem, warning)


def _parse_dwelling(raw: pd.Series, with_estate: bool) -> pd.DataFrame:
    text, warning = _clean(raw)
    # The estate is the shortest prefix after which a whole dwelling follows.
    estate_group = "(?P<estate>.*?)" if with_estate else ""
    found = _extract(text.str.replace(" ", "", regex=False), estate_group + _DWELLING, ignore_case=True)
    parts = pd.DataFrame({part: _canonical_tokens(found[part]) for part in _DWELLING_PARTS})
    rules = [(text.notna() & parts.isna().any(axis=1), "unparseable dwelling")]
    if with_estate:
        parts.insert(0, "estate", found["estate"].where(found["estate"] != ""))
        rules.append((_run_together(found["estate"], found["building"]), _UNCLEAR_SEAM))
    problem = _first_problem(text.index, *rules)
    parts[problem.notna()] = np.nan
    return parts.assign(problem=problem, warning=warning)


def _run_together(estate: pd.Series, building_token: pd.Series) -> pd.Series:
    """阳光100 + 3栋 reads as 阳光1 + 003栋 too: digits (or Chinese numerals) on both sides of the seam."""
    last, first = estate.str[-1], building_token.str[0]
    latin = _matches(last, "[0-9A-Za-z]") & _matches(first, "[0-9A-Za-z]")
    chinese = _matches(last, _CN_NUMERAL) & _matches(first, _CN_NUMERAL)
    return latin | chinese


def _canonical_tokens(tokens: pd.Series) -> pd.Series:
    distinct = tokens.dropna().unique()
    return tokens.map({token: _canonical_token(token) for token in distinct}).astype("str")


def _canonical_token(token: str) -> str | None:
    if token[0] in _CN_DIGITS or token[0] in _CN_UNITS:
        number = _chinese_numeral(token)
        return None if number is None else str(number)
    letters_and_digits = re.fullmatch(r"([A-Z]?)0*(\d+)([A-Z]?)", token.upper())
    return "".join(letters_and_digits.groups()) if letters_and_digits else token.upper()


def _chinese_numeral(text: str) -> int | None:
    """三 → 3, 十一 → 11, 二十三 → 23, 五百零一 → 501, 五零一 → 501 (digit by digit); None if malformed."""
    if not any(char in _CN_UNITS for char in text):
        return int("".join(str(_CN_DIGITS[char]) for char in text))
    total, digit, last_unit, after_zero = 0, None, 10_000, False
    for char in text:
        if char in _CN_UNITS:
            unit = _CN_UNITS[char]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit, after_zero = None, unit, False
        elif _CN_DIGITS[char] == 0:
            after_zero = True
        elif digit is not None:
            return None
        else:
            digit = _CN_DIGITS[char]
    if digit is None:
        return total
    # 五百一 is 510 in speech, 五百零一 is 501.
    return total + (digit if after_zero or last_unit == 10 else digit * last_unit // 10)


# ---------------------------------------------------------------------------------------------
# Estate (community) names

_BRACKETS = r"[()\[\]{}<>【】〔〕〖〗《》「」『』]"
_PHASE = rf"第?({_CN_NUMERAL}+|\d+)期"


def estate_name_key(s: pd.Series) -> pd.Series:
    """Match key: no spaces or brackets, latin upper-case, phases as `1期`, no trailing 小区."""
    return _per_unique(s, _parse_estate_key)["value"].rename(s.name)


def _parse_estate_key(raw: pd.Series) -> pd.DataFrame:
    text, warning = _clean(raw)
    key = _replace(text.str.replace(" ", "", regex=False), _BRACKETS, "").str.upper()
    key = key.str.replace(_PHASE, _phase_as_digits, regex=True)  # Python re: a function builds the replacement
    key = _replace(key, "^(.+?)小区$", r"\1")
    return _result(key.where(key != ""), _no_notes(raw.index), warning)


def _phase_as_digits(match: re.Match) -> str:
    number = match.group(1)
    value = int(number) if number.isdigit() else _chinese_numeral(number)
    return match.group(0) if value is None else f"{value}期"
