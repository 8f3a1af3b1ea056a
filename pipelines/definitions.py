"""Anju's Dagster code location: ingest → contracts → dbt build → linkage → publication → extracts.

Assets: one raw table per file kind (with its contract as an asset check), the dbt models (their
tests are checks too), resident links, the published warehouse and the district extracts. Jobs: the
whole pipeline, file ingest (run by the landing sensors), the warehouse build (run nightly) and a
monthly-partitioned re-read of archived files (backfills). Runs touching the work database are
serialised by a run tag (see pipelines/dagster.yaml).

No `from __future__ import annotations` here: Dagster reads the Config annotations at run time.
"""

import json
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetSelection,
    AssetSpec,
    Config,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    MaterializeResult,
    MonthlyPartitionsDefinition,
    OpExecutionContext,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    job,
    multi_asset,
    op,
    sensor,
)
from dagster_dbt import DbtProject, dbt_assets

from pipelines.extracts import write_district_extracts
from pipelines.identity.residents import link_residents
from pipelines.ingest import landing, store
from pipelines.ingest.kinds import KINDS
from pipelines.ingest.loader import FileOutcome, landing_key
from pipelines.settings import DBT_PROJECT_DIR, SOURCES, paths
from pipelines.warehouse import gate
from pipelines.warehouse.dbt import (
    PipelineDbtResource,
    code_fingerprint,
    dbt_executable,
    ensure_manifest,
    export_env,
    keep_parse_state,
    needs_full_refresh,
    prune_invocations,
    record_complete_build,
)
from pipelines.warehouse.publish import publish

WORK_DB_TAG = {"anju/work_db": "write"}
QUALITY_TABLES = ("files", "arrivals", "rejects", "warnings")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
ensure_manifest()


def raw_key(kind: str) -> AssetKey:
    return AssetKey(["raw", kind])


class IngestConfig(Config):
    files: list[str] = []  # landing files to ingest, as <source>/<name> or a path; empty = every file not seen before
    reprocess: list[str] = []  # archived files to read again, by file name or checksum (instead of landing files)


@multi_asset(
    name="ingest_landing",
    group_name="ingest",
    specs=[AssetSpec(raw_key(k.name), description=f"{k.label} ({k.source}/, {k.mode})") for k in KINDS]
    + [AssetSpec(AssetKey(["quality", t]), description=f"quality.{t}") for t in QUALITY_TABLES],
    check_specs=[
        # Blocking: a failure of severity ERROR (a blocking expectation over its threshold) stops what follows.
        AssetCheckSpec("contract", asset=raw_key(k.name), blocking=True,
                       description=f"Great Expectations suite expectations/{k.name}.json")
        for k in KINDS
    ],
)
def ingest_landing(context: AssetExecutionContext, config: IngestConfig):
    """Archive, read, check and load new landing files (or re-read archived ones); one transaction per file."""
    p = paths()
    con = store.connect(p.work_db)
    try:
        if config.reprocess:
            outcomes = landing.reprocess(con, p, _resolve_archived(con, config.reprocess), context.run.run_id)
        else:
            files = landing.landing_files(p)
            if config.files:
                wanted = {landing_key(Path(f)) for f in config.files}  # <source>/<name>, or a path ending in it
                files = [(s, f) for s, f in files if landing_key(f) in wanted]
                if missing := wanted - {landing_key(f) for _, f in files}:
                    raise ValueError(f"not in the landing zone: {', '.join(sorted(missing))}")
            outcomes = landing.ingest(con, p, landing.unseen(con, files), context.run.run_id)
        blocked = gate.unresolved(con, [o.file_sha for o in outcomes if o.status == "loaded"])
    finally:
        con.close()
    _log_outcomes(context, outcomes)
    for failure in blocked:
        context.log.error(f"blocking contract failure: {failure.describe()}")
    yield from _ingest_results(outcomes, blocked)


def _resolve_archived(con, names_or_shas: list[str]) -> list[str]:
    shas = []
    for wanted in names_or_shas:
        found = [sha for (sha,) in con.execute(
            "SELECT file_sha FROM quality.files WHERE (file_sha = ? OR file_name = ?) AND archive_path IS NOT NULL",
            [wanted, wanted]).fetchall()]
        if not found:
            raise ValueError(f"no archived file named or with checksum {wanted!r}")
        shas += found
    return shas


def _log_outcomes(context, outcomes: list[FileOutcome]) -> None:
    for o in outcomes:
        line = f"{o.source}/{o.file_name}: {o.status}"
        if o.status == "loaded":
            line += f" as {o.kind}: read {o.rows_read}, loaded {o.rows_loaded}, rejected {o.rows_rejected}, skipped {o.rows_skipped}"
            if o.reject_reasons:
                line += f"; rejects by rule {json.dumps(o.reject_reasons, ensure_ascii=False)}"
        if o.reason:
            line += f" ({o.reason})"
        (context.log.warning if o.status == "quarantined" else context.log.info)(line)


def _ingest_results(outcomes: list[FileOutcome], blocked: list[gate.BlockingFailure]):
    """A materialization per raw table and quality table, and each kind's contract as an asset check:
    a warning when rows were rejected, an error that stops the run on a blocking failure."""
    for kind in KINDS:
        mine = [o for o in outcomes if o.kind == kind.name and o.status == "loaded"]
        yield MaterializeResult(
            asset_key=raw_key(kind.name),
            metadata={
                "files": len(mine),
                "rows_loaded": sum(o.rows_loaded for o in mine),
                "rows_rejected": sum(o.rows_rejected for o in mine),
            },
        )
        reasons: dict[str, int] = {}
        for o in mine:
            for rule, count in o.reject_reasons.items():
                reasons[rule] = reasons.get(rule, 0) + count
        blocking = [f.describe() for f in blocked if f.kind == kind.name]
        yield AssetCheckResult(
            asset_key=raw_key(kind.name),
            check_name="contract",
            passed=not reasons and not blocking,
            # Bad rows are set aside and the good rows go on; only a blocking failure stops publication.
            severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
            metadata={"files": len(mine), "rejected_rows_by_rule": json.dumps(reasons, ensure_ascii=False),
                      "blocking_failures": "\n".join(blocking)},
        )
    quarantined = [o for o in outcomes if o.status == "quarantined"]
    for table in QUALITY_TABLES:
        yield MaterializeResult(
            asset_key=AssetKey(["quality", table]),
            metadata={
                "files_seen": len(outcomes),
                "quarantined": len(quarantined),
                "quarantined_files": json.dumps({o.file_name: o.reason for o in quarantined}, ensure_ascii=False),
                "duplicates": sum(o.status == "duplicate" for o in outcomes),
            },
        )


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project)
def warehouse_models(context: AssetExecutionContext, dbt: PipelineDbtResource):
    """dbt build: models and their data tests; a failing test of severity error stops publication."""
    home = paths()
    export_env(home)
    # Unit tests check the SQL, not the data: CI runs them (tests/test_dbt_unit_tests.py), as dbt advises.
    # The invocation's dbt.log at info level, as dbt prints it: at its default, debug, it also held
    # every statement (7 MB per build at city scale, ~10 % of dbt's time); the compiled SQL is in
    # the invocation's run/ folder.
    args = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info"]
    code = code_fingerprint()
    if needs_full_refresh(home.dbt_target, code):
        context.log.info("dbt project code changed since the last complete build: --full-refresh")
        args.append("--full-refresh")
    invocation = dbt.cli(args, context=context)
    try:
        yield from invocation.stream()
        if context.selected_asset_keys == warehouse_models.keys:  # a partial build rebuilt only its part
            record_complete_build(home.dbt_target, code)
    finally:
        keep_parse_state(invocation.target_path, home.dbt_target)
        prune_invocations(home.dbt_target)


@asset(group_name="warehouse", deps=list(warehouse_models.keys))
def resident_links(context: AssetExecutionContext) -> MaterializeResult:
    """Residents behind rows without a valid ID: exact rules first, then Splink; doubtful pairs listed for review."""
    con = store.connect(paths().work_db)
    try:
        counts = link_residents(con)
    finally:
        con.close()
    context.log.info(f"resident links: {counts}")
    return MaterializeResult(metadata={k: int(v) for k, v in counts.items()})


class PublishConfig(Config):
    accept_blocking: list[str] = []  # files (name or checksum) whose blocking contract failures the engineer accepts


@asset(group_name="publish", deps=[*warehouse_models.keys, resident_links])
def published_warehouse(context: AssetExecutionContext, config: PublishConfig) -> MaterializeResult:
    """The marts, copied into a new DuckDB file and swapped in atomically for Superset and extracts;
    refused while any file has an unresolved blocking contract failure (pipelines/warehouse/gate.py)."""
    p = paths()
    con = store.connect(p.work_db)
    try:
        for failure in gate.accept(con, config.accept_blocking, context.run.run_id):
            context.log.warning(f"accepted by the engineer: {failure.describe()}")
        gate.check_publishable(con)
    finally:
        con.close()
    publication = publish(p.work_db, p.published_db, snapshot_id=context.run.run_id)
    return MaterializeResult(
        metadata={
            "snapshot_id": publication.snapshot_id,
            "path": str(p.published_db),
            "as_of": str(publication.as_of),
            **{f"rows.{t}": n for t, n in publication.tables.items()},
        }
    )


@asset(group_name="publish", deps=[published_warehouse])
def district_extracts(context: AssetExecutionContext) -> MaterializeResult:
    """Per district: cleaned, de-identified CSV (UTF-8 with BOM) and XLSX extracts of the published warehouse."""
    p = paths()
    with duckdb.connect(str(p.published_db), read_only=True) as con:
        snapshot = con.execute("SELECT snapshot_id FROM marts.publication").fetchone()[0]
    manifest = write_district_extracts(p.published_db, p.extracts / snapshot)
    files = {code: {title: f["rows"] for title, f in d["files"].items()} for code, d in manifest["districts"].items()}
    return MaterializeResult(metadata={"folder": str(p.extracts / snapshot), "rows": json.dumps(files, ensure_ascii=False)})


anju_pipeline = define_asset_job("anju_pipeline", selection=AssetSelection.all(), tags=WORK_DB_TAG,
                                 description="Ingest new files, build the warehouse, publish it.")
ingest_job = define_asset_job("ingest_files", selection=AssetSelection.assets(ingest_landing), tags=WORK_DB_TAG,
                              description="Ingest landing files (run by the landing sensors).")
build_job = define_asset_job("warehouse_build", selection=AssetSelection.all() - AssetSelection.assets(ingest_landing),
                             tags=WORK_DB_TAG, description="dbt build and publication (nightly).")

monthly = MonthlyPartitionsDefinition(start_date="2020-01-01", end_offset=1)


@op(description="Read again every archived file whose as-of or export date falls in the partition's month.")
def reprocess_month_files(context: OpExecutionContext) -> None:
    month = context.partition_key[:7]
    con = store.connect(paths().work_db)
    try:
        outcomes = landing.reprocess(con, paths(), landing.files_of_month(con, month), context.run_id)
    finally:
        con.close()
    _log_outcomes(context, outcomes)
    for kind in sorted({o.kind for o in outcomes if o.kind}):
        context.log_event(AssetMaterialization(raw_key(kind), partition=None, metadata={"reprocessed_month": month}))
    context.log.info(f"{month}: {len(outcomes)} archived files read again")


@job(partitions_def=monthly, tags=WORK_DB_TAG,
     description="Backfill: read a month's archived files again (pick months in the Backfill dialog).")
def reprocess_month():
    reprocess_month_files()


nightly_build = ScheduleDefinition(
    name="nightly_warehouse_build", job=build_job, cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai", default_status=DefaultScheduleStatus.RUNNING,
)


def landing_sensor(source: str):
    """One sensor per landing folder: new or changed files (by size and mtime) become one ingest run."""

    @sensor(name=f"landing_{source}", job=ingest_job, minimum_interval_seconds=30,
            default_status=DefaultSensorStatus.RUNNING, description=f"New files in landing/{source}/")
    def _sensor(context: SensorEvaluationContext):
        seen: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
        new = {}
        for _, path in landing.landing_files(paths(), [source]):
            info = path.lstat()
            signature = [info.st_size, int(info.st_mtime)]
            # As quality.arrivals names it: a name that is not UTF-8 could not be stored with the run.
            if seen.get(landing_key(path)) != signature:
                new[landing_key(path)] = signature
        if not new:
            return SkipReason(f"no new files in landing/{source}/")
        context.update_cursor(json.dumps({**seen, **new}))
        run_key = f"{source}:" + ",".join(f"{k}@{v[0]}:{v[1]}" for k, v in sorted(new.items()))
        return RunRequest(run_key=run_key, run_config={"ops": {"ingest_landing": {"config": {"files": sorted(new)}}}},
                          tags={"anju/source": source})

    return _sensor


defs = Definitions(
    assets=[ingest_landing, warehouse_models, resident_links, published_warehouse, district_extracts],
    jobs=[anju_pipeline, ingest_job, build_job, reprocess_month],
    schedules=[nightly_build],
    sensors=[landing_sensor(s) for s in SOURCES],
    resources={"dbt": PipelineDbtResource(project_dir=dbt_project, dbt_executable=dbt_executable())},
)
