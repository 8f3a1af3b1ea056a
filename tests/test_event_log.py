"""Dagster's event log as `anju` configures it: a run's planned events written as one batch
(pipelines/event_log.py) land where Dagster's own SQLite storage puts them."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import dagster._check as check
import pytest
from dagster import DagsterEventType, DagsterInstance, RunsFilter
from dagster._core.events.log import EventLogEntry

from pipelines.event_log import BATCH_SIZE_VARIABLE, BatchingSqliteEventLogStorage
from pipelines.settings import Paths

PLANNED = {DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED}
# Clock times of when the storage was made or a row written: two stores of the same events differ in them.
INSERT_TIME_COLUMNS = {"create_timestamp", "updated_timestamp", "migration_completed"}


def _pipeline_run(home: Paths):
    instance = DagsterInstance.from_config(str(home.dagster_home))
    [run] = instance.get_runs(RunsFilter(job_name="anju_pipeline"), limit=1)
    return instance, run


def _planned_events(instance: DagsterInstance, run_id: str) -> list[EventLogEntry]:
    records = instance.get_records_for_run(run_id, of_type=PLANNED, limit=10_000).records
    return [r.event_log_entry for r in records]


def _dump(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, without the columns the database fills in at insert time."""
    with sqlite3.connect(db) as con:
        dump = {}
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"):
            columns = [f'"{c[1]}"' for c in con.execute(f'PRAGMA table_info("{table}")') if c[1] not in INSERT_TIME_COLUMNS]
            dump[table] = con.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY 1').fetchall()
        return dump


def test_the_pipeline_run_recorded_every_planned_event_in_the_run_and_the_index(published_warehouse):
    instance, run = _pipeline_run(published_warehouse)
    assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
    planned = _planned_events(instance, run.run_id)
    checks = [e for e in planned if e.dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED]
    assets = [e for e in planned if e.dagster_event_type == DagsterEventType.ASSET_MATERIALIZATION_PLANNED]
    assert len(checks) > 200 and len(assets) > 60  # every dbt test and model, the contracts and the raw tables
    # The index mirrors them: each check has its execution record, now resolved by its evaluation.
    with sqlite3.connect(published_warehouse.dagster_home / "history" / "runs" / "index.db") as con:
        statuses = dict(con.execute(
            "SELECT execution_status, count(*) FROM asset_check_executions WHERE run_id = ? GROUP BY 1",
            [run.run_id]).fetchall())
        planned_in_index = con.execute(
            "SELECT count(*) FROM event_logs WHERE run_id = ? AND dagster_event_type = ?",
            [run.run_id, DagsterEventType.ASSET_MATERIALIZATION_PLANNED.value]).fetchone()[0]
    assert sum(statuses.values()) == len(checks) and "PLANNED" not in statuses
    assert planned_in_index == len(assets)


def test_a_batch_writes_what_dagster_writes_one_event_at_a_time(published_warehouse, tmp_path):
    instance, run = _pipeline_run(published_warehouse)
    events = _planned_events(instance, run.run_id)
    one_by_one = BatchingSqliteEventLogStorage(str(tmp_path / "single"))
    for event in events:
        one_by_one.store_event(event)
    batched = BatchingSqliteEventLogStorage(str(tmp_path / "batch"))
    batched.store_event_batch(events)
    for db in (f"{run.run_id}.db", "index.db"):
        single, batch = _dump(tmp_path / "single" / db), _dump(tmp_path / "batch" / db)
        assert batch == single, db
    assert len(_dump(tmp_path / "batch" / "index.db")["asset_check_executions"]) > 200


def test_a_batch_that_fails_writes_nothing(published_warehouse, tmp_path):
    instance, run = _pipeline_run(published_warehouse)
    events = _planned_events(instance, run.run_id)[:5]
    storage = BatchingSqliteEventLogStorage(str(tmp_path))
    unwritable = events[-1]._replace(run_id=None)  # no run database to write it to
    with pytest.raises(check.CheckError):
        storage.store_event_batch([*events[:-1], unwritable])
    assert storage.get_records_for_run(run.run_id).records == []
    assert _dump(tmp_path / "index.db")["event_logs"] == []
    # the storage is usable afterwards, one event at a time as in a batch
    storage.store_event(events[0])
    storage.store_event_batch(events[1:])
    assert len(storage.get_records_for_run(run.run_id).records) == 5


def test_anju_turns_batching_on_for_the_processes_it_starts(tmp_path, monkeypatch):
    from pipelines.cli import prepare_dagster_home

    monkeypatch.delenv(BATCH_SIZE_VARIABLE, raising=False)
    for name in ("DAGSTER_HOME", "ANJU_HOME"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    prepare_dagster_home(Paths(tmp_path))
    assert int(os.environ[BATCH_SIZE_VARIABLE]) >= 1000
    instance = DagsterInstance.from_config(str(tmp_path / "dagster"))
    assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
    assert Path(instance.event_log_storage._base_dir) == tmp_path / "dagster" / "history" / "runs"
