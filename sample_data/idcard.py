"""Resident ID numbers (GB 11643-1999), vectorised: 6-digit county code, birth date, sequence, check char."""

from __future__ import annotations

import numpy as np

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK_CHARS = np.array(list("10X98765432"))


def check_chars(first17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check character for each 17-digit string."""
    digits = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - ord("0")
    return _CHECK_CHARS[(digits.astype(np.int64) @ _WEIGHTS) % 11]


def make_ids(county_codes: np.ndarray, birth_dates: np.ndarray, is_male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unique 18-character IDs. The sequence's last digit is odd for men."""
    births = np.datetime_as_string(birth_dates.astype("datetime64[D]"), unit="D")
    births = np.char.replace(births, "-", "")
    prefix = np.char.add(county_codes.astype(str), births)
    ids = np.empty(len(prefix), dtype="<U18")
    todo = np.arange(len(prefix))
    while len(todo):
        seq = rng.integers(0, 50, size=len(todo)) * 2 + np.where(is_male[todo], 1, 0)
        seq = rng.integers(0, 10, size=len(todo)) * 100 + seq % 100  # 3 digits, parity kept
        first17 = np.char.add(prefix[todo], np.char.zfill(seq.astype(str), 3))
        ids[todo] = np.char.add(first17, check_chars(first17))
        _, first_index = np.unique(ids, return_index=True)
        duplicate = np.ones(len(ids), dtype=bool)
        duplicate[first_index] = False
        todo = np.flatnonzero(duplicate)
    return ids


def to_legacy15(id18: str) -> str:
    """The 15-digit form an 18-digit ID of someone born in the 1900s had: drop '19' and the check char."""
    return id18[:6] + id18[8:17]
