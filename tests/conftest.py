"""Shared fixtures: a fresh ANJU_HOME per scenario, the real `anju` command, a real published warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT, Paths

pytest_plugins = ["tests.superset_fixtures"]

ANJU = str(Path(sys.executable).with_name("anju"))
ARTIFACTS = REPO_ROOT / "test-artifacts"
SMALL_SEED = 7
# The bench and the crash and concurrency drills cost per file and per run, not per row: their tests
# run them on a 3-month small sample (about 30 files instead of about 200).
SHORT_MONTHS = 3


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
    """The working folder of the crash and concurrency drills: its sample city and first publication
    (drills/homes.py) are made here once, and each drill mutates a copy."""
    from drills.homes import ensure_base

    home = tmp_path_factory.mktemp("drills")
    ensure_base(home, "small", SMALL_SEED, SHORT_MONTHS)
    return home


@pytest.fixture(scope="session")
def drill_scratch_reference(drill_home) -> Paths:
    """The drills' sample city run once from nothing: every file, one run (the pseudonym key copied
    from the base, so that resident keys agree). A home built month by month must publish the same marts."""
    from benchmarks.sample import deliver, split_newest_month
    from drills.homes import ensure_base

    base = ensure_base(drill_home, "small", SMALL_SEED, SHORT_MONTHS)
    home = Paths(drill_home / "scratch-reference")
    shutil.copytree(base.paths.secrets, home.secrets)
    first, held_back, _ = split_newest_month(base.sample_landing)
    deliver(first + held_back, base.sample_landing, home.landing)
    run_ok(home.home, "run")
    return home


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
