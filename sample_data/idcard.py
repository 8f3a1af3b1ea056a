"""Resident ID numbers (GB 11643-1999), vectorised: 6-digit county code, birth date, sequence, check char."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from . import fast

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK_CHARS = np.array(list("10X98765432"))


def _check(first17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check character of each 17-digit integer (digit by digit: no n × 17 matrix)."""
    total = np.zeros(len(first17), dtype=np.int64)
    rest = np.array(first17, dtype=np.int64)
    for weight in _WEIGHTS[::-1]:  # the last digit first
        total += rest % 10 * weight
        rest //= 10
    return _CHECK_CHARS[total % 11]


def check_chars(first17: np.ndarray) -> np.ndarray:
    """Check character for each 17-digit string."""
    return _check(np.asarray(first17).astype(np.int64))


def make_ids(county_codes: np.ndarray, birth_dates: np.ndarray, is_male: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Unique 18-character IDs (Arrow text). The sequence's last digit is odd for men.

    `county_codes` are 6-digit integers; the first 17 characters are kept as one 17-digit integer, so
    uniqueness is a sort of integers and the text is made once at the end.
    """
    days = birth_dates.astype("datetime64[D]")
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    yyyymmdd = ((years.astype(np.int64) + 1970) * 10000 + (months - years).astype(np.int64) * 100
                + (days - months).astype(np.int64) + 101)
    prefix = np.asarray(county_codes, dtype=np.int64) * 10**11 + yyyymmdd * 1000
    first17 = np.empty(len(prefix), dtype=np.int64)
    todo = np.arange(len(prefix))
    while len(todo):  # draw again every ID that repeats one before it
        seq = rng.integers(0, 50, size=len(todo)) * 2 + np.where(is_male[todo], 1, 0)
        seq = rng.integers(0, 10, size=len(todo)) * 100 + seq % 100  # 3 digits, parity kept
        first17[todo] = prefix[todo] + seq
        suspects = np.flatnonzero(pd.Series(first17).isin(first17[todo]))  # only the values just drawn can repeat
        todo = suspects[pd.Series(first17[suspects]).duplicated().to_numpy()]
    return fast.join(fast.ints(first17), pa.array(_check(first17), fast.STR))


def to_legacy15(id18: str) -> str:
    """The 15-digit form an 18-digit ID of someone born in the 1900s had: drop '19' and the check char."""
    return id18[:6] + id18[8:17]
