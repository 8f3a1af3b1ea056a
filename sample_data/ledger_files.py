"""Splitting a ledger into monthly exports that overlap, re-send updated rows and correct earlier mistakes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import fast
from .exports import ExportContext, Rows, below, write_export
from .ledgers import Ledger
from .periods import month_last_day

CORRECTION_RATE = 0.01  # rows sent wrong and re-sent corrected in the next export


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


def export_rows(ledger: Ledger, events: np.ndarray, at: pd.Timestamp, superseded: np.ndarray) -> Rows:
    """The export of `events` (positions) on `at`; the `superseded` ones are sent wrong."""
    def render(rows: np.ndarray) -> pd.DataFrame:
        frame = ledger.render(ledger.events.iloc[events[rows]], at, rows).reset_index(drop=True)
        corrupt(frame, np.flatnonzero(superseded[rows]), ledger)
        return frame

    return Rows(len(events), render)


def write_ledger(ctx: ExportContext, ledger: Ledger, periods: pd.PeriodIndex, rng: np.random.Generator) -> None:
    """Write one export per month; record in the ledger the export that first carried each event (a 续筹 is
    due from it)."""
    months = ledger.change_months()
    ledger.first_export = np.full(len(ledger.events), -1, dtype=np.int16)
    ledger.export_dates = np.array([month_last_day(p) for p in periods], dtype="datetime64[ns]")
    for i, period in enumerate(periods):
        p = period.ordinal
        include = np.zeros(len(ledger.events), dtype=bool)
        for changed in months:  # the first export back-fills the department's history
            include |= ((changed >= 0) & (changed <= p)) if i == 0 else ((changed == p) | (changed == p - 1))
        period_start = ledger.earliest().normalize() if i == 0 else (period - 1).to_timestamp()
        events = np.flatnonzero(include)
        del include
        new = events[ledger.first_export[events] < 0]
        ledger.first_export[new] = i
        superseded = np.zeros(len(events), dtype=bool)
        if i < len(periods) - 1 and len(events):
            again = np.logical_or.reduce([changed[events] == p for changed in months])  # in the next export too
            superseded = again & below(rng, len(events), CORRECTION_RATE)
        export_date = month_last_day(period)
        write_export(ctx, ledger.kind, export_rows(ledger, events, export_date, superseded), export_date, period_start,
                     rng, i + 1, superseded=superseded)
