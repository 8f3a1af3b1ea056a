"""dbt as the pipeline runs it: the executable of this environment, the project, a fresh manifest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR, Paths

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def export_env(paths: Paths) -> None:
    """dbt's profile reads the work database's path from the environment."""
    os.environ["ANJU_WORK_DB"] = str(paths.work_db)
    os.environ["DBT_PROFILES_DIR"] = str(DBT_PROJECT_DIR)


def _newest_source_mtime() -> float:
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files)


def ensure_manifest() -> Path:
    """`dbt parse` when the manifest is missing or older than the project (it needs no database)."""
    if not MANIFEST.exists() or MANIFEST.stat().st_mtime < _newest_source_mtime():
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
            env={**os.environ, "ANJU_WORK_DB": os.environ.get("ANJU_WORK_DB", "anju_work.duckdb")},
        )
    return MANIFEST
