"""The pipeline's stages, each run as Dagster asset selection of the real Definitions in a process of its own.

    python -m benchmarks.stages <stage> <result.json>     (ANJU_HOME and DAGSTER_HOME in the environment)

A process per stage, so that the parent's `os.wait4` reads that stage's peak memory (its
descendants included, such as dbt's subprocess). The wall time is the Dagster run's alone:
interpreter start and imports (`startup_s`) are paid once per `anju run` in production, not per stage.
Rows are what each stage is measured by: rows read from the input files for ingest, rows written
for the others (see ROWS).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.child import run_measured
from pipelines.settings import paths

STAGES = {
    "ingest": "ingest and contracts",
    "dbt": "dbt build",
    "linkage": "identity linkage",
    "publication": "publication",
    "extracts": "extracts",
}
ROWS = {
    "ingest": "rows read from the files received (quality.files.rows_read)",
    "dbt": "rows in the tables dbt built (views write none)",
    "linkage": "rows in identity.*",
    "publication": "rows copied into the published warehouse",
    "extracts": "data rows written to the district CSV and XLSX files",
}


@dataclass
class StageResult:
    stage: str
    wall_s: float
    startup_s: float
    rows: int
    peak_rss_mib: float
    success: bool
    detail: dict

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s if self.wall_s else 0.0


def run_stage(stage: str, workdir: Path) -> StageResult:
    """Run one stage in a child process (environment inherited) and read its figures and peak memory."""
    result_file, log = workdir / f"stage-{stage}.json", workdir / f"stage-{stage}.log"
    result_file.unlink(missing_ok=True)
    finished = run_measured([sys.executable, "-m", "benchmarks.stages", stage, str(result_file)], log)
    if not result_file.exists():
        raise RuntimeError(f"stage {stage} exited {finished.returncode} without figures; see {log}")
    figures = json.loads(result_file.read_text())
    return StageResult(stage, figures["wall_s"], figures["startup_s"], figures["rows"], finished.peak_rss_mib,
                       figures["success"] and finished.returncode == 0, figures["detail"])


# ------------------------------------------------------------------------------- the child


def _selection(stage: str, d) -> list:
    return {
        "ingest": list(d.ingest_landing.keys),
        "dbt": list(d.warehouse_models.keys),
        "linkage": [d.resident_links.key],
        "publication": [d.published_warehouse.key],
        "extracts": [d.district_extracts.key],
    }[stage]


def _count(con, tables: list[str]) -> int:
    return sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def _tables(con, schema: str) -> list[str]:
    return [f'{schema}."{name}"' for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [schema]).fetchall()]


def _rows(stage: str, run_id: str) -> tuple[int, dict]:
    import duckdb

    p = paths()
    if stage in ("publication", "extracts"):
        with duckdb.connect(str(p.published_db), read_only=True) as con:
            if stage == "publication":
                return _count(con, _tables(con, "marts")), {}
            snapshot = con.execute("SELECT snapshot_id FROM marts.publication").fetchone()[0]
        manifest = json.loads((p.extracts / snapshot / "manifest.json").read_text(encoding="utf-8"))
        per_file = [f["rows"] for d in manifest["districts"].values() for f in d["files"].values()]
        return 2 * sum(per_file), {"districts": len(manifest["districts"]), "files": 2 * len(per_file)}
    with duckdb.connect(str(p.work_db), read_only=True) as con:
        if stage == "ingest":
            read, loaded, rejected, skipped, accepted, quarantined = con.execute(
                "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0), "
                "coalesce(sum(rows_skipped), 0), count(*) FILTER (status = 'loaded'), count(*) FILTER (status = 'quarantined') "
                "FROM quality.files WHERE run_id = ?", [run_id]).fetchone()
            duplicates = con.execute("SELECT count(*) FROM quality.arrivals WHERE run_id = ? AND outcome = 'duplicate'",
                                     [run_id]).fetchone()[0]
            return int(read), {"files_accepted": accepted, "files_quarantined": quarantined, "files_duplicate": duplicates,
                               "rows_loaded": int(loaded), "rows_rejected": int(rejected), "rows_skipped": int(skipped)}
        if stage == "linkage":
            return _count(con, _tables(con, "identity")), {}
        built = _dbt_built(run_id)
        tables = {f'{s}."{t}"' for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        return _count(con, [t for t in built["relations"] if t in tables]), {
            k: v for k, v in built.items() if k != "relations"}


def _dbt_built(run_id: str) -> dict:
    """What dagster-dbt's invocation of this run did, from its run_results.json."""
    [results_file] = paths().dbt_target.glob(f"warehouse_models-{run_id[:7]}-*/run_results.json")
    results = json.loads(results_file.read_text())["results"]
    models = [r for r in results if r["unique_id"].startswith(("model.", "seed.")) and r["status"] == "success"
              and r.get("relation_name")]
    relations = []
    for r in models:
        _, schema, table = (part.strip('"') for part in r["relation_name"].split("."))
        relations.append(f'{schema}."{table}"')
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:5]
    return {"relations": relations, "models_and_seeds": len(models),
            "tests": sum(r["unique_id"].startswith(("test.", "unit_test.")) for r in results),
            "slowest": {r["unique_id"]: round(r["execution_time"], 2) for r in slowest},
            "run_results": str(results_file)}


def main(stage: str, result_file: str) -> int:
    started = time.perf_counter()
    from dagster import DagsterInstance

    from pipelines import definitions as d

    job = d.defs.resolve_job_def("anju_pipeline")
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    with DagsterInstance.get() as instance:
        startup = time.perf_counter() - started
        begun = time.perf_counter()
        result = job.execute_in_process(instance=instance, asset_selection=_selection(stage, d), raise_on_error=False,
                                        run_config=quiet, tags=d.WORK_DB_TAG)
        wall = time.perf_counter() - begun
    failures = [f"{e.step_key}: {e.step_failure_data.error.message.strip() if e.step_failure_data.error else '?'}"
                for e in result.all_events if e.is_step_failure]
    rows, detail = _rows(stage, result.run_id) if result.success else (0, {})
    detail = {**detail, "run_id": result.run_id, **({"failures": failures} if failures else {})}
    figures = dict(wall_s=wall, startup_s=startup, rows=rows, success=result.success, detail=detail)
    Path(result_file).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
