"""Dagster as data engineers use it: sensors on file drops, runs, asset checks, re-runs and backfills."""

from __future__ import annotations

import json

import duckdb
import pytest
from dagster import DagsterInstance, SkipReason, build_sensor_context

from pipelines.settings import SOURCES, Paths
from tests.exports import COMMUNITY_HEADER, COMMUNITY_ROWS, write_csv


@pytest.fixture
def home(tmp_path, monkeypatch) -> Paths:
    monkeypatch.setenv("ANJU_HOME", str(tmp_path))
    return Paths(tmp_path)


@pytest.fixture(scope="module")
def defs():
    from pipelines.definitions import defs

    return defs


def test_code_location_offers_jobs_schedule_and_a_sensor_per_landing_folder(defs):
    assert {j.name for j in defs.resolve_all_job_defs()} >= {"anju_pipeline", "ingest_files", "warehouse_build", "reprocess_month"}
    schedule = defs.resolve_schedule_def("nightly_warehouse_build")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.job_name == "warehouse_build"
    assert {s.name for s in defs.sensors} == {f"landing_{s}" for s in SOURCES}
    checks = defs.resolve_asset_graph().asset_check_keys
    contracts = {key.asset_key.path[-1] for key in checks if key.name == "contract"}
    assert len(contracts) == 12  # one Great Expectations contract per file kind
    assert any(key.name.startswith("unique_") for key in checks)  # dbt's tests are checks too
    # a singular test reading several models is a check of the one its config names (meta.dagster.ref)
    on = {key.name: key.asset_key.path[-1] for key in checks}
    assert on["scorecard_total_is_weighted_mean"] == "community_scorecard"
    assert on["unmatched_rows_are_kept"] == "data_quality"
    assert on["marts_hold_no_personal_data"] == "dim_resident"


def test_sensor_turns_a_new_file_into_one_run_and_then_waits(defs, home):
    sensor = defs.resolve_sensor_def("landing_unit")
    with DagsterInstance.ephemeral() as instance:
        assert isinstance(sensor(build_sensor_context(instance=instance)), SkipReason)

        write_csv(home.landing / "unit" / "名录20261031.csv", COMMUNITY_HEADER, COMMUNITY_ROWS)
        context = build_sensor_context(instance=instance)
        request = sensor(context)
        assert request.run_config["ops"]["ingest_landing"]["config"]["files"] == ["unit/名录20261031.csv"]

        again = sensor(build_sensor_context(instance=instance, cursor=context.cursor))
        assert isinstance(again, SkipReason)  # the same file is not sent twice


def test_ingest_run_from_a_sensor_loads_the_file_and_reports_its_contract(defs, home):
    path = write_csv(home.landing / "unit" / "名录20261031.csv", COMMUNITY_HEADER, COMMUNITY_ROWS + [["坏编码"] + COMMUNITY_ROWS[0][1:]])
    job = defs.resolve_job_def("ingest_files")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, run_config={"ops": {"ingest_landing": {"config": {"files": [str(path)]}}}}
        )
        assert result.success
        checks = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    register = checks["community_register"]
    assert not register.passed
    assert json.loads(register.metadata["rejected_rows_by_rule"].value) == {"小区编码 is not 12 digits": 1}
    assert checks["household_roster"].passed  # no file of that kind: nothing failed
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.community_register").fetchone() == (3,)


def test_engineer_can_reprocess_one_file_and_backfill_a_month(defs, home):
    path = write_csv(home.landing / "unit" / "名录20261031.csv", COMMUNITY_HEADER, COMMUNITY_ROWS)
    with DagsterInstance.ephemeral() as instance:
        defs.resolve_job_def("ingest_files").execute_in_process(instance=instance)
        rerun = defs.resolve_job_def("ingest_files").execute_in_process(
            instance=instance, run_config={"ops": {"ingest_landing": {"config": {"reprocess": [path.name]}}}}
        )
        assert rerun.success
        backfill = defs.resolve_job_def("reprocess_month").execute_in_process(instance=instance, partition_key="2026-10-01")
        assert backfill.success
        unknown = defs.resolve_job_def("ingest_files").execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"ops": {"ingest_landing": {"config": {"reprocess": ["没有这个文件.csv"]}}}},
        )
        assert not unknown.success
        absent = defs.resolve_job_def("ingest_files").execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"ops": {"ingest_landing": {"config": {"files": ["unit/没有这个文件.csv"]}}}},
        )
        assert not absent.success
        [failure] = [e.step_failure_data.error.cause for e in absent.all_events if e.is_step_failure]
        assert "not in the landing zone: unit/没有这个文件.csv" in failure.message
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.community_register").fetchone() == (3,)  # replaced, not doubled
        outcomes = [o for (o,) in con.execute("SELECT outcome FROM quality.arrivals ORDER BY seen_at").fetchall()]
    assert outcomes == ["new", "reprocessed", "reprocessed"]
