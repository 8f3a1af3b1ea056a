"""Pseudonymous resident keys: a keyed hash (HMAC-SHA256) of the normalised ID number.

The key is generated once per installation into $ANJU_HOME/secrets (never in the repository), so
the same person gets the same key in every department's rows, and nobody without the key can
recompute a key from an ID number (DuckDB's plain sha256 could be reversed by enumerating IDs).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.settings import paths

KEY_FILE = "pseudonym_key"


@lru_cache(maxsize=None)
def _key(secrets_dir: Path) -> bytes:
    path = secrets_dir / KEY_FILE
    if not path.exists():
        secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".partial")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails if another process created the key first: keep theirs
        except FileExistsError:
            pass
        tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


def ensure_key() -> None:
    """Create this installation's key now, before processes that pseudonymise start side by side."""
    _key(paths().secrets)


def pseudonymise(ids: pd.Series) -> pd.Series:
    """32 hex characters per ID; null stays null. Computed once per distinct ID."""
    keyed = hmac.new(_key(paths().secrets), digestmod=hashlib.sha256)
    codes, distinct = pd.factorize(ids)  # -1 where null

    def digest(i: str) -> str:
        h = keyed.copy()  # the key's padding is hashed once, not once per ID
        h.update(i.encode())
        return h.hexdigest()[:32]

    hashed = np.array([digest(i) for i in distinct] + [None], dtype=object)
    return pd.Series(hashed[codes], index=ids.index, dtype=object)
