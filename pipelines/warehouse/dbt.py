"""dbt as the pipeline runs it: the executable of this environment, the project, a fresh manifest."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR, Paths

TARGET = DBT_PROJECT_DIR / "target"
MANIFEST = TARGET / "manifest.json"
# dagster-dbt gives every invocation a folder of its own, target/<op>-<run id[:7]>-<uuid[:7]>
# (about 15 MB each: compiled SQL, manifest, run_results.json); a nightly schedule would fill the disk.
INVOCATION_DIR = re.compile(r"^.+-[0-9a-f]{7}-[0-9a-f]{7}$")
KEEP_INVOCATIONS = 20


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


def prune_invocations(keep: int = KEEP_INVOCATIONS, target: Path = TARGET) -> list[Path]:
    """Remove all but the `keep` newest invocation folders of dagster-dbt; returns the removed ones."""
    folders = [p for p in target.iterdir() if p.is_dir() and INVOCATION_DIR.match(p.name)] if target.exists() else []
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)  # another process may be pruning too
    return folders[keep:]
