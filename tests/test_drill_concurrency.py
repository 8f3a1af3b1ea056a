"""`anju drill concurrency` at small scale: Superset's chart-data API, queried in a loop while the
pipeline publishes the next snapshot, answers every request with the old or the new snapshot's
figures, never a mix, and never fails."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SHORT_MONTHS, SMALL_SEED, run_anju

pytestmark = pytest.mark.slow


def test_dashboard_queries_during_a_refresh_see_old_or_new_never_a_mix(drill_home):
    result = run_anju(drill_home, "drill", "concurrency", "--scale", "small", "--seed", str(SMALL_SEED), "--months", str(SHORT_MONTHS),
                      "--home", str(drill_home), timeout=3600)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]

    report = json.loads((drill_home / "concurrency-report.json").read_text())
    assert report["exit"] == 0 and report["new_snapshot"] != report["old_snapshot"]
    assert report["error"] == 0 and report["mixed"] == 0 and report["stepped_back"] == 0
    assert report["old"] > 0 and report["new"] > 0
    assert report["changed_queries"] > 0
