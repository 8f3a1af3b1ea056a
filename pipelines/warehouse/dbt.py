"""dbt as the pipeline runs it: the executable of this environment, the project, a fresh manifest,
and per home: the invocation folders, the partial-parse state, and the code of the last complete
build (which decides --full-refresh for the incremental models)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.settings import DBT_PROJECT_DIR, Paths

TARGET = DBT_PROJECT_DIR / "target"
MANIFEST = TARGET / "manifest.json"
PARTIAL_PARSE = "partial_parse.msgpack"
BUILT_WITH = "built-with-code"  # code_fingerprint() of the last complete build
PARSED_FROM = "manifest-code"  # code_fingerprint() of the code the manifest was parsed from
# dagster-dbt gives every invocation a folder of its own, $DBT_TARGET_PATH/<op>-<run id[:7]>-<uuid[:7]>
# (about 15 MB each: compiled SQL, manifest, run_results.json); a nightly schedule would fill the disk.
INVOCATION_DIR = re.compile(r"^.+-[0-9a-f]{7}-[0-9a-f]{7}$")
KEEP_INVOCATIONS = 20


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


class PipelineDbtResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs the pipeline never uses (about 6 s per build).

    Before each invocation dagster-dbt runs `dbt --version` in a subprocess (3.7 s) and builds a dbt
    adapter in this process (2.6 s); the adapter serves only fetch_row_counts() and
    fetch_column_metadata(), which the pipeline does not call. The dbt executable is this
    environment's (dbt_executable), so dbt-core's installed version is the CLI's."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def export_env(paths: Paths) -> None:
    """dbt's profile reads the work database's path from the environment; dagster-dbt puts each
    invocation's folder under $DBT_TARGET_PATH and starts it from the partial-parse state found there."""
    os.environ["ANJU_WORK_DB"] = str(paths.work_db)
    os.environ["DBT_PROFILES_DIR"] = str(DBT_PROJECT_DIR)
    os.environ["DBT_TARGET_PATH"] = str(paths.dbt_target)


def keep_parse_state(invocation_dir: Path, target: Path) -> None:
    """Keep the partial-parse state of the invocation that just ran for the next one of this home.

    dbt discards a partial-parse state written under another profile; the profile names the work
    database, so a state shared by all homes (the repository's target/) was always discarded and
    every run re-parsed the whole project."""
    state = invocation_dir / PARTIAL_PARSE
    if state.exists():
        kept = target / f".{PARTIAL_PARSE}.tmp"
        shutil.copyfile(state, kept)
        os.replace(kept, target / PARTIAL_PARSE)


def _project_files() -> list[Path]:
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += sorted(p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    return files


def code_fingerprint() -> str:
    """SHA-256 of the dbt project's code: models, macros, seeds, tests and configuration."""
    digest = hashlib.sha256()
    for path in _project_files():
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _recorded_code(record: Path) -> str | None:
    """The code_fingerprint() that _record_code wrote to `record`, if it did."""
    return record.read_text() if record.exists() else None


def _record_code(record: Path, code: str) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(code)


def needs_full_refresh(target: Path, code: str | None = None) -> bool:
    """Incremental models keep rows built by earlier code: when the code (default: the project's
    now) changed since the last complete build of this home (or no build recorded one), everything
    is rebuilt (--full-refresh)."""
    return _recorded_code(target / BUILT_WITH) != (code or code_fingerprint())


def record_complete_build(target: Path, code: str | None = None) -> None:
    """`code`: the fingerprint the build began from, so that an edit during the build rebuilds again."""
    _record_code(target / BUILT_WITH, code or code_fingerprint())


def ensure_manifest() -> Path:
    """`dbt parse` when the manifest is missing or was parsed from other code (it needs no database).
    By the code's fingerprint, not by modification times: a deleted file changes no file's time."""
    parsed_from, code = TARGET / PARSED_FROM, code_fingerprint()
    if not MANIFEST.exists() or _recorded_code(parsed_from) != code:
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
            env={**os.environ, "ANJU_WORK_DB": os.environ.get("ANJU_WORK_DB", "anju_work.duckdb"),
                 "DBT_TARGET_PATH": str(TARGET)},
        )
        _record_code(parsed_from, code)  # the code the parse began from: an edit during it parses again
    return MANIFEST


def prune_invocations(target: Path, keep: int = KEEP_INVOCATIONS) -> list[Path]:
    """Remove all but the `keep` newest invocation folders of dagster-dbt; returns the removed ones."""
    folders = [p for p in target.iterdir() if p.is_dir() and INVOCATION_DIR.match(p.name)] if target.exists() else []
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)  # another process may be pruning too
    return folders[keep:]
