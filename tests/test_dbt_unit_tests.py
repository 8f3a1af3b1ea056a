"""dbt's unit tests (models/*/_unit_tests.yml) run here, in CI, and not in the nightly build.

dbt recommends keeping unit tests out of production builds: they test the SQL, which only changes
with the code, not the data. The pipeline's `dbt build` excludes them; this test runs all of them
against a copy of a built work database (dbt reads the input models' column types from it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from pipelines.settings import DBT_PROJECT_DIR
from pipelines.warehouse.dbt import dbt_executable


def test_every_dbt_unit_test_passes(published_warehouse, tmp_path):
    work_db = tmp_path / "anju_work.duckdb"
    shutil.copy(published_warehouse.work_db, work_db)
    target = tmp_path / "target"
    result = subprocess.run(
        [dbt_executable(), "test", "--select", "test_type:unit", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)],
        env={**os.environ, "ANJU_WORK_DB": str(work_db)}, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

    manifest = json.loads((target / "manifest.json").read_text())
    ran = {r["unique_id"]: r["status"] for r in json.loads((target / "run_results.json").read_text())["results"]}
    assert set(ran) == set(manifest["unit_tests"]) and len(ran) >= 8
    assert set(ran.values()) == {"pass"}


def test_the_pipeline_build_leaves_unit_tests_out(published_warehouse):
    results = max(published_warehouse.dbt_target.glob("warehouse_models-*/run_results.json"), key=lambda p: p.stat().st_mtime)
    ran = [r["unique_id"] for r in json.loads(results.read_text())["results"]]
    assert any(uid.startswith("test.") for uid in ran) and any(uid.startswith("model.") for uid in ran)
    assert not [uid for uid in ran if uid.startswith("unit_test.")]
