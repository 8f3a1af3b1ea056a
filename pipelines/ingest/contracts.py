"""Run a file kind's Great Expectations suite (expectations/<kind>.json) on its normalised rows.

GX's SQL datasources do not work with DuckDB (see STACK.md), so suites run on the pandas frame
of one file, and every failing row comes back with its rule, so that the row can be rejected.
An expectation the city marks `meta.blocking` also fails the file as a whole when more than
1 − `mostly` of its rows fail it: the failing rows are still rejected one by one, and the file's
good rows still load, but publication stops (pipelines/warehouse/gate.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from pipelines.settings import EXPECTATIONS_DIR

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROW = "_row_number"


@dataclass(frozen=True)
class Failure:
    row_number: int
    column: str
    rule: str
    value: str | None
    rejects_row: bool  # False: an optional value is set to null with a warning instead


@dataclass(frozen=True)
class SuiteResult:
    expectation: str
    rule: str
    success: bool  # with `mostly`, True while the failing share stays within the threshold
    unexpected_count: int
    rows_checked: int  # GX's basis for the share: every row, or the non-null ones for value rules
    unexpected_percent: float
    blocking: bool  # meta.blocking: a failure stops publication (see pipelines/warehouse/gate.py)
    mostly: float


def suite_path(kind: str):
    return EXPECTATIONS_DIR / f"{kind}.json"


@lru_cache(maxsize=None)
def load_suite_json(kind: str) -> dict:
    return json.loads(suite_path(kind).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("anju").add_dataframe_asset("rows").add_batch_definition_whole_dataframe("file")
    )
    return context, batch_definition


@lru_cache(maxsize=None)
def _suite(kind: str):
    from great_expectations.core.expectation_suite import ExpectationSuite

    context, _ = _context()
    return context.suites.add(ExpectationSuite(**load_suite_json(kind)))


@lru_cache(maxsize=None)
def suite_columns(kind: str) -> frozenset[str]:
    """Every column the suite reads: its expectations' columns and any named in a row condition."""
    names: set[str] = set()
    for expectation in load_suite_json(kind)["expectations"]:
        kwargs = expectation["kwargs"]
        names |= {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
        names |= set(re.findall(r"[A-Za-z_]\w*", kwargs.get("row_condition", "")))
    return frozenset(names)


def validate(kind: str, frame: pd.DataFrame) -> tuple[list[Failure], list[SuiteResult]]:
    """Failures per row and column, and one summary per expectation (for the asset checks)."""
    # Only what the suite reads: GX fingerprints (hashes) every column of the frame it is given.
    frame = frame[[c for c in frame.columns if c == ROW or c in suite_columns(kind)]]
    _, batch_definition = _context()
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        _suite(kind), result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW]}
    )
    failures: list[Failure] = []
    summaries: list[SuiteResult] = []
    for r in result.results:
        config = r.expectation_config
        meta = config.meta or {}
        rule = meta.get("rule", config.type)
        rejects_row = meta.get("on_failure", "reject") == "reject"
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(f"contract {kind}: expectation {config.type} could not run: {r.exception_info['exception_message']}")
        kwargs = config.kwargs
        column = kwargs.get("column") or kwargs.get("column_A") or ""
        for item in r.result.get("unexpected_index_list") or []:
            value = item.get(column)
            failures.append(Failure(int(item[ROW]), column, rule, None if pd.isna(value) else str(value), rejects_row))
        checked = int(r.result.get("element_count") or 0) - int(r.result.get("missing_count") or 0)
        summaries.append(SuiteResult(
            config.type, rule, bool(r.success), int(r.result.get("unexpected_count") or 0), checked,
            float(r.result.get("unexpected_percent") or 0.0), bool(meta.get("blocking", False)), float(kwargs.get("mostly", 1.0)),
        ))
    return failures, summaries


def combine(parts: list[list[SuiteResult]]) -> list[SuiteResult]:
    """A file's summaries from those of its chunks (the same expectations, in the same order): counts
    add up, and an expectation succeeds while the failing share stays within 1 − mostly, as in GX."""
    if len(parts) == 1:
        return parts[0]
    combined = []
    for same in zip(*parts):
        unexpected = sum(r.unexpected_count for r in same)
        checked = sum(r.rows_checked for r in same)
        share = unexpected / checked if checked else 0.0
        combined.append(dataclasses.replace(
            same[0], unexpected_count=unexpected, rows_checked=checked, unexpected_percent=100 * share,
            success=unexpected == 0 or 1 - share >= same[0].mostly,
        ))
    return combined
