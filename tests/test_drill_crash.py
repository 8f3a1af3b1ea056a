"""`anju drill crash` at small scale: SIGKILLs during ingest, dbt and publication leave the published
warehouse serving its last good snapshot, and the next run completes with every file and row counted
once and the marts of a clean run: the same sample run once from nothing (`drill_scratch_reference`)."""

from __future__ import annotations

import json

import pytest

from drills.homes import snapshot_of
from pipelines.settings import Paths
from tests.conftest import SHORT_MONTHS, SMALL_SEED, run_anju

pytestmark = pytest.mark.slow


def test_kills_at_each_stage_lose_nothing_and_count_nothing_twice(drill_home, drill_scratch_reference):
    result = run_anju(drill_home, "drill", "crash", "--scale", "small", "--seed", str(SMALL_SEED), "--months", str(SHORT_MONTHS),
                      "--home", str(drill_home), "--reference", str(drill_scratch_reference.home), timeout=3600)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]

    report = json.loads((drill_home / "crash-report.json").read_text())
    kills = report["kills"]
    assert {k["stage"] for k in kills} >= {"ingest", "dbt", "publication"}
    assert all(k["ok"] for k in kills), kills
    assert [c["name"] for c in report["checks"] if not c["ok"]] == []
    assert {c["name"] for c in report["checks"]} >= {"no file lost", "no (file, row) loaded twice", "marts equal a clean run's"}
    # The crashed home serves the final run's snapshot, not any killed run's.
    assert snapshot_of(Paths(drill_home / "crash").published_db) not in {k["snapshot"] for k in kills}
