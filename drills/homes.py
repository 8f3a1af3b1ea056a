"""What the crash and concurrency drills share: the generator's sample city, a home published from
all but its newest month, copies of it to mutate, and `anju run` watched from outside.

    <drill home>/sample/   the generator's landing zone (and truth), made once per scale, seed and months
    <drill home>/base/     an ANJU_HOME published from every file but the newest arrival month's,
                           made once; base.json records it and the seconds of each of its run's steps
    <drill home>/<drill>/  a fresh copy of base for one drill

A landing zone holds hard links to the sample's files: same bytes, same mtime (which the pipeline
reads as the arrival time). The archive is linked too: the pipeline only ever adds files to it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.sample import MONTHS, deliver, ensure_sample, link, split_newest_month
from pipelines.settings import REPO_ROOT, Paths

ANJU = str(Path(sys.executable).with_name("anju"))
# Dagster steps of the anju_pipeline job, by the stage names the drills print.
STEPS = {
    "ingest_landing": "ingest",
    "warehouse_models": "dbt",
    "resident_links": "linkage",
    "published_warehouse": "publication",
    "district_extracts": "extracts",
}


def say(line: str) -> None:
    print(line, flush=True)


def drill_root(args, name: str) -> Path:
    root = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix=f"anju-drill-{name}-"))
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve()


@dataclass(frozen=True)
class Base:
    paths: Paths
    sample_landing: Path
    held_back: list[Path]  # the sample's files of the newest arrival month, in order of arrival
    month: str
    step_seconds: dict[str, float]  # per stage, as the base run took them


def ensure_base(root: Path, scale: str, seed: int, months: int = MONTHS) -> Base:
    made = ensure_sample(root, scale, seed, months)
    if made.generated_s is not None:
        say(f"sample: the {scale} city (seed {seed}, {months} months) generated in {made.generated_s:.0f} s")
    sample = made.landing
    first, held_back, month = split_newest_month(sample)
    home = Paths(root / "base")
    stamp = home.home / "base.json"
    wanted = {"scale": scale, "seed": seed, "months": months, "month": month}
    if stamp.exists() and {k: v for k, v in json.loads(stamp.read_text()).items() if k in wanted} == wanted:
        steps = json.loads(stamp.read_text())["step_seconds"]
        return Base(home, sample, held_back, month, steps)
    shutil.rmtree(home.home, ignore_errors=True)
    deliver(first, sample, home.landing)
    say(f"base: first publication from {len(first)} files, holding back the {len(held_back)} of {month} ...")
    started = time.monotonic()
    run = PipelineRun(home, home.home / "base-run.log")
    if run.wait() != 0:
        raise RuntimeError(f"the base run failed; see {home.home / 'base-run.log'}")
    steps = run.step_seconds()
    say(f"base: published in {time.monotonic() - started:.0f} s; steps (s): {json.dumps(steps)}")
    stamp.write_text(json.dumps({**wanted, "step_seconds": steps}))
    return Base(home, sample, held_back, month, steps)


def clone(base: Base, dest: Path) -> Paths:
    """A fresh copy of the base home: databases and secrets copied, landing and archive linked.
    Dagster's history, extracts and Superset state are not copied: each drill makes its own."""
    shutil.rmtree(dest, ignore_errors=True)
    src = base.paths
    home = Paths(dest)
    shutil.copytree(src.work_db.parent, home.work_db.parent)
    shutil.copytree(src.secrets, home.secrets)  # the pseudonym key: resident keys must not change
    home.warehouse_dir.mkdir(parents=True)
    shutil.copy2(src.published_db, home.published_db)
    for folder in (src.landing, src.archive):
        for path in folder.rglob("*"):
            if path.is_file():
                link(path, dest / path.relative_to(src.home))
    return home


def snapshot_of(published_db: Path) -> str:
    """The published snapshot's id, read as Superset reads: a read-only connection of its own."""
    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute("SELECT snapshot_id FROM marts.publication").fetchone()[0]


class PipelineRun:
    """`anju run` on one home, in a process group of its own, watched from outside: its processes,
    its files and the step events Dagster writes to the home's run storage."""

    def __init__(self, home: Paths, log: Path):
        self.home = home
        self.started = time.time()
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            self.proc = subprocess.Popen([ANJU, "run"], cwd=REPO_ROOT, env={**os.environ, "ANJU_HOME": str(home.home)},
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def staging_db(self) -> Path:
        return self.home.published_db.with_name(self.home.published_db.name + ".next")

    def stage(self) -> str:
        """ingest | dbt | linkage | publication | extracts | starting | between steps | exited."""
        if self.proc.poll() is not None:
            return "exited"
        if self._writing_staging_db():
            return "publication"
        if any("build" in cmd and any(Path(a).name == "dbt" for a in cmd[:2]) for cmd in self.commands()):
            return "dbt"
        running = self._steps_running()
        if running is None:
            return "starting"
        return STEPS.get(running[0], running[0]) if running else "between steps"

    def _writing_staging_db(self) -> bool:
        """This run is writing the next warehouse file (one a killed run left behind is older)."""
        try:
            return self.staging_db.stat().st_mtime >= self.started
        except FileNotFoundError:
            return False

    def commands(self) -> list[list[str]]:
        """Command lines of every process in the run's group (dbt, Dagster's helpers, ...)."""
        found = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                if int(fields[2]) != self.proc.pid or fields[0] == b"Z":  # process group; zombies are gone
                    continue
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    found.append([a.decode(errors="replace") for a in f.read().split(b"\0") if a])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
        return found

    def _run_storage(self) -> Path | None:
        runs = self.home.dagster_home / "history" / "runs"
        mine = [p for p in runs.glob("*.db") if p.name != "index.db" and p.stat().st_mtime >= self.started - 1] if runs.exists() else []
        return max(mine, key=lambda p: p.stat().st_mtime) if mine else None

    def _step_events(self) -> list[tuple[str, str, str]] | None:
        storage = self._run_storage()
        if storage is None:
            return None
        try:
            with sqlite3.connect(f"file:{storage}?mode=ro", uri=True, timeout=0.5) as con:
                return con.execute(
                    "SELECT step_key, dagster_event_type, timestamp FROM event_logs "
                    "WHERE dagster_event_type IN ('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE', 'STEP_SKIPPED') ORDER BY id"
                ).fetchall()
        except sqlite3.Error:  # being written: ask again at the next poll
            return None

    def _steps_running(self) -> list[str] | None:
        events = self._step_events()
        if events is None:
            return None
        started = [k for k, kind, _ in events if kind == "STEP_START"]
        ended = {k for k, kind, _ in events if kind != "STEP_START"}
        return [k for k in started if k not in ended]

    def step_seconds(self) -> dict[str, float]:
        """Seconds each step took (from Dagster's events), by stage name."""
        times: dict[str, dict[str, dt.datetime]] = {}
        for key, kind, stamp in self._step_events() or []:
            times.setdefault(key, {})[kind] = dt.datetime.fromisoformat(str(stamp))
        return {STEPS.get(k, k): round((t["STEP_SUCCESS"] - t["STEP_START"]).total_seconds(), 2)
                for k, t in times.items() if "STEP_START" in t and "STEP_SUCCESS" in t}

    def kill(self) -> None:
        """SIGKILL the whole group (dbt and Dagster's helpers too) and wait until none is left."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        deadline = time.monotonic() + 30
        while self.commands() and time.monotonic() < deadline:
            time.sleep(0.1)

    def wait(self, timeout: float | None = None) -> int:
        return self.proc.wait(timeout=timeout)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")
