"""Where everything lives. One root, ANJU_HOME, holds all state; the repository holds only code."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DASHBOARDS_DIR = REPO_ROOT / "dashboards"

# The six landing folders of EXPORTS.md, in the order departments are listed there.
SOURCES = ("household", "unit", "fund", "complaint", "facility", "engagement")


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def archive(self) -> Path:
        """Original bytes of every file received, named by their SHA-256."""
        return self.home / "archive"

    @property
    def work_db(self) -> Path:
        """The pipeline's private DuckDB: raw layer, quality records and dbt's build. Holds personal data."""
        return self.home / "work" / "anju_work.duckdb"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def published_db(self) -> Path:
        """The last good warehouse, marts only; what Superset and extracts read."""
        return self.warehouse_dir / "anju.duckdb"

    @property
    def extracts(self) -> Path:
        """De-identified per-district extracts, one folder per published snapshot."""
        return self.home / "extracts"

    @property
    def secrets(self) -> Path:
        return self.home / "secrets"

    @property
    def dbt_target(self) -> Path:
        """dbt's folders of this home: one per invocation (compiled SQL, run_results.json, dbt.log)
        and the partial-parse state, which is only valid for one profile, i.e. one work database."""
        return self.home / "dbt"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def superset_home(self) -> Path:
        return self.home / "superset"

    @property
    def logs(self) -> Path:
        return self.home / "logs"


def duckdb_memory_limit() -> str:
    """What one DuckDB of the pipeline may hold in memory before it spills to disk. DuckDB's own
    default, 80 % of RAM, lets two of them in one process (or beside dbt) overrun the machine."""
    return os.environ.get("ANJU_DUCKDB_MEMORY_LIMIT", "8GB")


def anju_home() -> Path:
    return Path(os.environ.get("ANJU_HOME", REPO_ROOT / ".anju")).resolve()


def paths() -> Paths:
    return Paths(anju_home())
