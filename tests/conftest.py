"""Shared fixtures: a fresh ANJU_HOME per scenario, the real `anju` command, a real published warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT, Paths

pytest_plugins = ["tests.superset_fixtures"]

ANJU = str(Path(sys.executable).with_name("anju"))
ARTIFACTS = REPO_ROOT / "test-artifacts"
SMALL_SEED = 7


def run_anju(home: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the installed `anju` command against one ANJU_HOME, as a user would."""
    env = {**os.environ, "ANJU_HOME": str(home)}
    return subprocess.run([ANJU, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)


def run_ok(home: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    result = run_anju(home, *args, timeout=timeout)
    assert result.returncode == 0, f"anju {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-5000:]}"
    return result


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory) -> Paths:
    """A fresh ANJU_HOME holding the generator's small city (landing/ and truth/)."""
    home = tmp_path_factory.mktemp("small-city")
    run_ok(home, "generate", "--scale", "small", "--seed", str(SMALL_SEED), "--out", str(home))
    return Paths(home)


@pytest.fixture(scope="session")
def published_warehouse(small_sample) -> Paths:
    """The small city, run through the whole pipeline once; the published warehouse exists."""
    result = run_ok(small_sample.home, "run")
    (small_sample.home / "run.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert small_sample.published_db.exists()
    return small_sample


@pytest.fixture(scope="session")
def drill_home(tmp_path_factory) -> Path:
    """The working folder of the crash and concurrency drills: they make its sample city and first
    publication once and each mutate a copy (drills/homes.py)."""
    return tmp_path_factory.mktemp("drills")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
