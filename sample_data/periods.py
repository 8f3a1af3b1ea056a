"""The assessment calendar: monthly periods that always end at END_MONTH, so output never depends on today."""

from __future__ import annotations

import pandas as pd

END_MONTH = pd.Period("2026-10", freq="M")


def assessment_months(months: int) -> pd.PeriodIndex:
    return pd.period_range(end=END_MONTH, periods=months, freq="M")


def month_end(period: pd.Period) -> pd.Timestamp:
    """Last day of the month at 23:59:59, INDICATORS.md's "month end"."""
    return period.to_timestamp(how="end").floor("s")


def month_last_day(period: pd.Period) -> pd.Timestamp:
    return period.to_timestamp(how="end").normalize()


def cadence_months(months: pd.PeriodIndex, every: int) -> list[pd.Period]:
    """Every `every`-th month counted back from the last one, plus the first one."""
    picked = {months[-1 - i] for i in range(0, len(months), every)} | {months[0]}
    return sorted(picked)

