"""Splitting a ledger into monthly exports that overlap, re-send updated rows and correct earlier mistakes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import fast
from .exports import ExportContext, write_export
from .ledgers import Ledger
from .periods import month_last_day

CORRECTION_RATE = 0.01  # rows sent wrong and re-sent corrected in the next export


def change_months(ledger: Ledger) -> np.ndarray:
    """Month ordinal of each change of each event (events × change columns), -1 for none."""
    cols = []
    for c in ledger.change_cols:
        s = pd.to_datetime(ledger.events[c])
        cols.append((s.dt.year * 12 + s.dt.month - 1).fillna(-1).astype(np.int32).to_numpy())
    return np.column_stack(cols)


def corrupt(frame: pd.DataFrame, rows: np.ndarray, ledger: Ledger) -> None:
    """A wrong value in the first numeric column, which the next export sends right."""
    numeric = [c.name for c in ledger.kind.columns if c.role in ("amount", "int")]
    if not numeric or not len(rows):
        return
    col = numeric[0]
    column = fast.arrow(frame[col])
    values = column.take(pa.array(rows)).to_pylist()
    for i, value in enumerate(values):
        if value not in ("", "0", "0.00") and not value.startswith("-"):
            v = float(value)
            if col == "物业服务评分":  # a wrong score is still a valid one (1–5)
                values[i] = str(int(v) % 5 + 1)
            else:
                values[i] = f"{v * 1.1 + 1:.2f}" if "." in value else str(int(v) + 1)
    mask = np.zeros(len(frame), dtype=bool)
    mask[rows] = True
    frame[col] = fast.strings(pc.replace_with_mask(column, pa.array(mask), pa.array(values, fast.STR)))


def write_ledger(ctx: ExportContext, ledger: Ledger, periods: pd.PeriodIndex, rng: np.random.Generator) -> pd.Series:
    """Write one export per month; return each event's first export date (a 续筹 is due from it)."""
    months = change_months(ledger)
    first_export = pd.Series(pd.NaT, index=ledger.events.index, dtype="datetime64[ns]")
    for i, period in enumerate(periods):
        p = period.year * 12 + period.month - 1
        if i == 0:  # the first export back-fills the department's history
            include = ((months >= 0) & (months <= p)).any(axis=1)
            period_start = pd.to_datetime(ledger.events[ledger.change_cols].min(axis=None)).normalize()
        else:
            include = ((months == p) | (months == p - 1)).any(axis=1)
            period_start = (period - 1).to_timestamp()
        sub = ledger.events[include]
        export_date = month_last_day(period)
        first_export[sub.index[first_export[sub.index].isna()]] = export_date
        frame = ledger.render(sub, export_date).reset_index(drop=True)
        superseded = np.zeros(len(frame), dtype=bool)
        if i < len(periods) - 1 and len(frame):
            again = (months[include] == p).any(axis=1)  # these rows will be in the next export too
            pick = np.flatnonzero(again & (rng.random(len(frame)) < CORRECTION_RATE))
            corrupt(frame, pick, ledger)
            superseded[pick] = True
        write_export(ctx, ledger.kind, frame, export_date, period_start, rng, i + 1,
                     record_keys=frame["_key"].array, superseded=superseded)
    return first_export
