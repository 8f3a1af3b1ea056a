"""Column helpers at I/O speed: Arrow string arrays built without a Python object per value.

Formatting goes through unique values (dates, months: a few thousand distinct ones) or Arrow compute
(money, integers, joins), never through a Python call per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STR = pa.large_string()


def arrow(values) -> pa.Array:
    """Any column (Arrow, pandas, numpy, scalar list) as a large_string Arrow array, nulls as ''."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        if isinstance(values, pd.api.extensions.ExtensionArray) and not hasattr(values, "__arrow_array__"):
            values = np.asarray(values)
        if isinstance(values, (pd.Series, pd.Index)):
            values = values.array if isinstance(values.dtype, (pd.StringDtype, pd.ArrowDtype)) else values.to_numpy()
        values = pa.array(values, from_pandas=True)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
    if values.type != STR:
        values = pc.cast(values, STR)
    if values.null_count:
        values = pc.fill_null(values, lit(""))
    return values


def lit(text: str) -> pa.Scalar:
    return pa.scalar(text, STR)


def join(*parts, sep: str = "") -> pa.Array:
    """Element-wise concatenation; str parts are broadcast."""
    cols = [lit(p) if isinstance(p, str) else arrow(p) for p in parts]
    return pc.binary_join_element_wise(*cols, lit(sep))


def where(mask, a, b) -> pa.Array:
    mask = pa.array(np.asarray(mask, dtype=bool))
    return pc.if_else(mask, lit(a) if isinstance(a, str) else arrow(a), lit(b) if isinstance(b, str) else arrow(b))


def ints(values) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), STR)


def zfill(values, width: int) -> pa.Array:
    """Non-negative integers left-padded with zeros (as str.zfill)."""
    return pc.utf8_lpad(ints(values), width, "0")


def pick(values, positions) -> pa.Array:
    """values[positions] as Arrow text."""
    return arrow(values).take(pa.array(np.asarray(positions, dtype=np.int64)))


def _by_unique(keys: np.ndarray, valid: np.ndarray, render) -> pa.Array:
    out_keys, inverse = np.unique(keys[valid], return_inverse=True)
    table = pa.array([render(k) for k in out_keys.tolist()], type=STR)
    idx = np.zeros(len(keys), dtype=np.int64)
    idx[valid] = inverse
    result = table.take(pa.array(idx)) if len(out_keys) else pa.array([""] * len(keys), type=STR)
    if not valid.all():
        result = pc.if_else(pa.array(valid), result, lit(""))
    return result


_FIRST_DAY = np.datetime64("1900-01-01", "D")
_TABLES: dict[str, pa.Array] = {}


def _day_table(fmt: str) -> pa.Array:
    """Text of every day 1900–2100 in `fmt`, built once (a date column is then one `take`)."""
    if fmt not in _TABLES:
        days = np.arange(_FIRST_DAY, np.datetime64("2101-01-01", "D"))
        text = np.datetime_as_string(days, unit="D")
        _TABLES["%Y-%m-%d"] = pa.array(text.tolist(), type=STR)
        _TABLES["%Y-%m"] = pa.array([t[:7] for t in text.tolist()], type=STR)
    return _TABLES[fmt]


def dates(values, fmt: str = "%Y-%m-%d") -> pa.Array:
    """Dates as text ('%Y-%m-%d', '%Y-%m' or '%Y-%m-%d %H:%M:%S'), '' for NaT."""
    v = np.asarray(pd.to_datetime(values if isinstance(values, pd.Series) else pd.Series(values))).astype("datetime64[s]")
    valid = ~np.isnat(v)
    days = v.astype("datetime64[D]")
    offset = np.where(valid, (days - _FIRST_DAY).astype(np.int64), 0)
    if (offset < 0).any() or (offset >= 73414).any():
        keys = days.astype(np.int64)
        day_text = _by_unique(keys, valid, lambda k: pd.Timestamp(k, unit="D").strftime(
            "%Y-%m" if fmt == "%Y-%m" else "%Y-%m-%d"))
    else:
        day_text = _day_table("%Y-%m" if fmt == "%Y-%m" else "%Y-%m-%d").take(pa.array(offset))
    if fmt in ("%Y-%m-%d", "%Y-%m"):
        return day_text if valid.all() else pc.if_else(pa.array(valid), day_text, lit(""))
    if fmt != "%Y-%m-%d %H:%M:%S":
        raise ValueError(fmt)
    secs = np.where(valid, v.astype(np.int64) - days.astype(np.int64) * 86400, 0)
    two = lambda x: pc.utf8_lpad(ints(x), 2, "0")
    text = join(day_text, " ", two(secs // 3600), ":", two(secs // 60 % 60), ":", two(secs % 60))
    return pc.if_else(pa.array(valid), text, lit("")) if not valid.all() else text


def money(values) -> pa.Array:
    """Two decimals, half away from zero on the cent (as '{:.2f}' does for cent-exact values)."""
    cents = np.round(np.asarray(values, dtype=np.float64) * 100).astype(np.int64)
    neg = cents < 0
    a = np.abs(cents)
    text = join(ints(a // 100), ".", pc.utf8_lpad(ints(a % 100), 2, "0"))
    if neg.any():
        text = pc.if_else(pa.array(neg), join("-", text), text)
    return text


def as_numpy_str(values) -> np.ndarray:
    """Arrow strings as a numpy object array (for the few places that index Python strings)."""
    return arrow(values).to_numpy(zero_copy_only=False)


def strings(values) -> pd.arrays.ArrowStringArray:
    """An Arrow string column as a pandas array: positional (no index) and no Python object per value."""
    return pd.arrays.ArrowStringArray(arrow(values))


def series(values) -> pd.Series:
    """An Arrow string column as a pandas Series (no Python object per value)."""
    return pd.Series(pd.arrays.ArrowStringArray(arrow(values)))
