"""Blocking contracts: a file over a blocking rule's threshold loads its good rows but stops publication
until an engineer resolves it (pipelines/warehouse/gate.py); the published warehouse stays as it was."""

from __future__ import annotations

import os

import duckdb
import pytest
from dagster import AssetCheckSeverity, DagsterInstance

from pipelines.ingest import landing, store
from pipelines.settings import Paths
from pipelines.warehouse import gate
from pipelines.warehouse.publish import current_snapshot
from tests.conftest import run_anju, run_ok
from tests.exports import HOUSEHOLD_HEADER, HOUSEHOLD_ROWS, write_csv, write_minimal_landing

ID_RULE = "required 身份证号码 is blank or invalid"
FEE_HEADER = ["小区名称", "房号", "计费月份", "应收金额", "实收金额"]


def _roster_with_blank_ids(path, blank: int):
    """The minimal roster plus one household, with `blank` of its rows' IDs left empty."""
    rows = [list(r) for r in HOUSEHOLD_ROWS] + [["H004", "孙丽", "420103198203030021", "户主", "棚改", "安康新村", "2#1-302", ""]]
    for row in rows[-blank:]:
        row[2] = ""
    return write_csv(path, HOUSEHOLD_HEADER, rows)


def _arrive(path, at: float):
    os.utime(path, (at, at))
    return path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Paths:
    monkeypatch.setenv("ANJU_HOME", str(tmp_path))
    return Paths(tmp_path)


def test_blocking_failure_fails_the_contract_check_with_error_and_names_file_rule_and_share(home):
    from pipelines.definitions import defs

    path = _roster_with_blank_ids(home.landing / "household" / "花名册2026-10-31.csv", blank=2)
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("ingest_files").execute_in_process(instance=instance, raise_on_error=False)
        checks = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert not result.success  # the blocking check stops the run
    roster = checks["household_roster"]
    assert not roster.passed and roster.severity == AssetCheckSeverity.ERROR
    assert roster.metadata["blocking_failures"].value == (
        f"household/{path.name}: rule “{ID_RULE}” failed for 40.0% of the rows (2 of 5); the city blocks publication above 10%")
    assert checks["work_order"].passed and checks["work_order"].severity == AssetCheckSeverity.WARN
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        # The good rows still load; the failing ones are rejected one by one, as always.
        assert con.execute("SELECT status, rows_loaded, rows_rejected FROM quality.files").fetchall() == [("loaded", 3, 2)]
        assert con.execute("SELECT count(*) FROM raw.household_roster").fetchone() == (3,)
        assert con.execute("SELECT blocking, success, unexpected_count, rows_checked, mostly FROM quality.contract_results "
                           "WHERE rule = ?", [ID_RULE]).fetchall() == [(True, False, 2, 5, 0.9)]


def test_below_the_threshold_rows_are_rejected_without_blocking(home):
    rows = [list(r) for _ in range(3) for r in HOUSEHOLD_ROWS]  # 12 rows: one blank ID is 8.3%, under the 10% limit
    for i, row in enumerate(rows):
        row[0] = f"H{i:03d}"
    rows[-1][2] = ""
    write_csv(home.landing / "household" / "花名册2026-10-31.csv", HOUSEHOLD_HEADER, rows)
    con = store.connect(home.work_db)
    try:
        [outcome] = landing.ingest(con, home, landing.landing_files(home), "test")
        assert outcome.reject_reasons == {ID_RULE: 1}
        assert gate.unresolved(con) == []
        gate.check_publishable(con)
    finally:
        con.close()


def test_corrected_resend_resolves_a_snapshot_while_a_ledger_needs_acceptance(home):
    con = store.connect(home.work_db)
    try:
        bad = _arrive(_roster_with_blank_ids(home.landing / "household" / "花名册2026-10-31.csv", blank=2), 1_800_000_000)
        landing.ingest(con, home, landing.unseen(con, landing.landing_files(home)), "run-1")
        assert [(f.file_name, f.rule) for f in gate.unresolved(con)] == [(bad.name, ID_RULE)]
        with pytest.raises(gate.PublicationBlocked, match=f"household/{bad.name}: rule “{ID_RULE}” failed for 40.0%"):
            gate.check_publishable(con)

        # The department re-sends the same month's roster, corrected: it replaces the bad one in every mart.
        _arrive(write_csv(home.landing / "household" / "花名册2026-10-31(更正).csv", HOUSEHOLD_HEADER, HOUSEHOLD_ROWS), 1_800_000_100)
        landing.ingest(con, home, landing.unseen(con, landing.landing_files(home)), "run-2")
        assert gate.unresolved(con) == []

        fees = [["幸福家园一期", "3栋2单元501", "2026-10", "120.00", "120.00"],
                ["和谐苑", "1号楼1单元101", "2026-10", "", ""],
                ["安康新村", "2#1-301", "2026-10", "", ""]]
        ledger = write_csv(home.landing / "fund" / "物业费收缴明细202610.csv", FEE_HEADER, fees)
        landing.ingest(con, home, landing.unseen(con, landing.landing_files(home)), "run-3")
        [failure] = gate.unresolved(con)
        assert (failure.file_name, failure.rule, failure.unexpected_count) == (ledger.name, "required 应收金额 is blank or invalid", 2)

        # Re-reading the same bytes fails the same way; an explicit acceptance resolves it, and outlives a re-read.
        landing.reprocess(con, home, [failure.file_sha], "run-4")
        assert gate.unresolved(con) == [failure]
        with pytest.raises(ValueError, match="no unresolved blocking contract failure"):
            gate.accept(con, ["不存在.csv"], "run-5")
        assert gate.accept(con, [ledger.name], "run-5") == [failure]
        landing.reprocess(con, home, [failure.file_sha], "run-6")
        assert gate.unresolved(con) == []
        assert con.execute("SELECT file_sha, rule, run_id FROM quality.contract_acceptances").fetchall() == [
            (failure.file_sha, failure.rule, "run-5")]
    finally:
        con.close()


def test_blocking_failure_keeps_the_published_warehouse_until_accepted(tmp_path, monkeypatch):
    write_minimal_landing(tmp_path / "landing")
    run_ok(tmp_path, "run")
    published_db = tmp_path / "warehouse" / "anju.duckdb"
    before, snapshot = published_db.read_bytes(), current_snapshot(published_db)
    bad = _roster_with_blank_ids(tmp_path / "landing" / "household" / "江城区安置人员花名册2026-11-30.csv", blank=2)

    failed = run_anju(tmp_path, "run")
    assert failed.returncode != 0
    assert f"BLOCKING     household/{bad.name}: rule “{ID_RULE}” failed for 40.0% of the rows (2 of 5)" in failed.stdout
    assert "blocking asset check" in failed.stderr and "the published warehouse was left as it was" in failed.stderr
    assert published_db.read_bytes() == before

    # The nightly build (no new files, so no contract check runs) must refuse to publish too.
    monkeypatch.setenv("ANJU_HOME", str(tmp_path))
    from pipelines.definitions import defs

    with DagsterInstance.ephemeral() as instance:
        nightly = defs.resolve_job_def("warehouse_build").execute_in_process(instance=instance, raise_on_error=False)
    assert not nightly.success
    [failure] = [e.step_failure_data.error.cause for e in nightly.all_events if e.is_step_failure]
    assert failure.cls_name == "PublicationBlocked"
    assert f"household/{bad.name}: rule “{ID_RULE}” failed for 40.0% of the rows (2 of 5)" in failure.message
    assert published_db.read_bytes() == before

    accepted = run_ok(tmp_path, "run", "--accept-blocking", bad.name)
    assert current_snapshot(published_db) != snapshot
    assert "Files: 0 accepted" in accepted.stdout  # nothing new was read: the decision alone publishes
    with duckdb.connect(str(published_db), read_only=True) as con:
        # The November roster's good rows are published: 张伟 and 李娜 on roll (王芳 has moved out); 赵强 and
        # 孙丽, without an ID, were rejected. October's roster had 3 on roll.
        assert con.execute("SELECT sum(residents_on_roll) FROM marts.estate_summary").fetchone() == (2,)
