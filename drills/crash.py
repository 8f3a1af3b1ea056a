"""`anju drill crash`: SIGKILL `anju run` at random points of ingest, dbt and publication, then prove
that nothing broke.

From a home published from all but the newest month (drills/homes.py), that month's files arrive
in batches. Each kill starts `anju run` in a process group of its own, waits until the target stage
is seen from outside (Dagster's step events for ingest, a `dbt build` process for dbt, the
`anju.duckdb.next` file for publication), sleeps a seeded random share of that stage's length in
the base run (for ingest, from the first new file archived, a share of the batch's expected time),
reads the stage again and kills the whole group. After each kill the published
warehouse must still open read-only, as Superset opens it, and serve the last good snapshot.
Then a run must complete, and:

- no file is lost: every landing file is in quality.files and quality.arrivals, and its archived
  bytes have its checksum; no temporary file (`.partial`, `.next`) is left;
- no row is counted twice: each file arrived as new once, each raw table holds exactly the rows
  quality.files says were loaded, once per (file, row), and each file's read = loaded + rejected
  + skipped, its rejects recorded once per row;
- the marts equal (rows and the sum of every numeric column) those of a clean, uninterrupted run
  on the same landing: `--reference HOME`, or one the drill makes from the same base.

Prints every kill and check; exits non-zero on any failure.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import duckdb

from drills.homes import Base, PipelineRun, clone, deliver, drill_root, ensure_base, say, snapshot_of
from pipelines.ingest.loader import landing_key, sha256_of
from pipelines.settings import Paths

KILLS = {"small": 3, "city": 12}
TARGETS = ("ingest", "dbt", "publication")
POLL_S = 0.02
STAGE_TIMEOUT_S = 3 * 3600
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "UTINYINT", "USMALLINT",
           "UINTEGER", "UBIGINT")


@dataclass
class Kill:
    number: int
    target: str
    stage: str  # as read from outside immediately before the SIGKILL; "" if the run ended first
    detail: str
    run_s: float  # since `anju run` started
    in_stage_s: float  # since the target stage was first seen
    snapshot: str  # served after the kill
    ok: bool
    note: str


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def main(args) -> int:
    root = drill_root(args, "crash")
    base = ensure_base(root, args.scale, args.seed, args.months)
    rng = random.Random(args.seed)
    kills = KILLS[args.scale]
    plan = deque(TARGETS[i % len(TARGETS)] for i in range(kills))
    say(f"crash drill ({args.scale}, seed {args.seed}): {kills} kills planned ({', '.join(plan)}); base home published "
        f"without the {len(base.held_back)} files of {base.month}, which arrive in batches")
    reference = Paths(Path(args.reference).resolve()) if args.reference else _clean_reference(base, root / "reference")

    home = clone(base, root / "crash")
    n_ingest = plan.count("ingest")
    batches = deque(_split(base.held_back, n_ingest + 1))  # the last batch arrives before the final run
    files_in_base = sum(1 for p in base.paths.landing.rglob("*") if p.is_file())
    per_file_s = base.step_seconds.get("ingest", 60.0) / max(files_in_base, 1)
    last_good = snapshot_of(home.published_db)
    done: list[Kill] = []
    retries = kills
    while plan:
        target = plan.popleft()
        budget = base.step_seconds.get(target, 10.0)
        if target == "ingest":
            if len(batches) < 2:
                continue  # no files left to ingest but the final run's
            batch = batches.popleft()
            deliver(batch, base.sample_landing, home.landing)
            budget = per_file_s * (len(batch) - 1)  # the clock starts at the batch's first file
        kill = _kill_once(len(done) + 1, home, target, rng.uniform(0, 0.8 * budget), last_good, root / "crash-runs.log")
        done.append(kill)
        say(_describe(kill))
        if kill.ok and kill.snapshot != last_good:
            last_good = kill.snapshot
        if kill.stage != target and retries > 0:
            retries -= 1
            plan.append(target)

    while batches:
        deliver(batches.popleft(), base.sample_landing, home.landing)
    say("final run: every file delivered, running to completion ...")
    started = time.monotonic()
    final = PipelineRun(home, root / "crash-runs.log")
    code = final.wait()
    checks = [Check("final run completes", code == 0, f"exit {code} after {time.monotonic() - started:.0f} s")]
    if code == 0:
        checks += _verify(home, reference, last_good)
    for check in checks:
        say(f"  {'OK  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")

    hit = {t: sum(k.stage == t for k in done) for t in TARGETS}
    killed = [k for k in done if k.stage]
    ok = all(k.ok for k in done) and all(c.ok for c in checks) and all(hit.values()) and len(killed) >= kills
    say(f"RESULT: {'OK' if ok else 'FAILED'}: {len(killed)} kills ({', '.join(f'{t} {n}' for t, n in hit.items())}), "
        f"{sum(k.ok for k in done)} of {len(done)} attempts left the published warehouse serving its last good snapshot; "
        f"{sum(c.ok for c in checks)} of {len(checks)} checks passed")
    report = {"ok": ok, "kills": [dataclasses.asdict(k) for k in done], "checks": [dataclasses.asdict(c) for c in checks]}
    (root / "crash-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if ok else 1


def _split(files: list[Path], parts: int) -> list[list[Path]]:
    size, extra = divmod(len(files), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (i < extra)
        out.append(files[start:end])
        start = end
    return out


def _clean_reference(base: Base, folder: Path) -> Paths:
    """The same landing, run once without interruption (made once per drill home)."""
    stamp = folder / "reference.json"
    if stamp.exists() and json.loads(stamp.read_text()) == {"month": base.month}:
        return Paths(folder)
    home = clone(base, folder)
    deliver(base.held_back, base.sample_landing, home.landing)
    say("reference: a clean, uninterrupted run on the same landing ...")
    if PipelineRun(home, folder / "run.log").wait() != 0:
        raise RuntimeError(f"the reference run failed; see {folder / 'run.log'}")
    stamp.write_text(json.dumps({"month": base.month}))
    return home


def _kill_once(number: int, home: Paths, target: str, delay: float, last_good: str, log: Path) -> Kill:
    archived_before = _archive_count(home)
    run = PipelineRun(home, log)
    started = time.monotonic()
    while (stage := run.stage()) != target:
        if stage == "exited" or time.monotonic() - started > STAGE_TIMEOUT_S:
            run.kill()
            return _after(number, home, target, "", f"{target} never seen (run ended: exit {run.proc.returncode})",
                          time.monotonic() - started, 0.0, last_good)
        time.sleep(POLL_S)
    if target == "ingest":  # from the first new file archived: the step's own start-up is not ingest proper
        while run.stage() == "ingest" and _archive_count(home) == archived_before:
            time.sleep(POLL_S)
    entered = time.monotonic()
    while time.monotonic() < entered + delay and run.proc.poll() is None:
        time.sleep(POLL_S)
    stage = run.stage()
    detail = _detail(home, stage, archived_before)
    if stage == "exited":
        run.wait()
        return _after(number, home, target, "", f"the run finished before the kill (exit {run.proc.returncode})",
                      time.monotonic() - started, time.monotonic() - entered, last_good)
    run.kill()
    return _after(number, home, target, stage, detail, time.monotonic() - started, time.monotonic() - entered, last_good)


def _detail(home: Paths, stage: str, archived_before: int) -> str:
    if stage == "ingest":
        archived = _archive_count(home) - archived_before
        return f"{archived} new file{'' if archived == 1 else 's'} archived so far"
    if stage == "publication":
        written = [p.stat().st_size for p in home.warehouse_dir.glob("anju.duckdb.next*")]
        return f"anju.duckdb.next and its WAL at {sum(written) / 1e6:.2f} MB" if written else "before anju.duckdb.next"
    return ""


def _archive_count(home: Paths) -> int:
    return sum(1 for p in home.archive.rglob("*") if p.is_file()) if home.archive.exists() else 0


def _after(number, home: Paths, target, stage, detail, run_s, in_stage_s, last_good) -> Kill:
    """Open the published warehouse as Superset would and read every mart."""
    try:
        snapshot = snapshot_of(home.published_db)
        _mart_totals(home.published_db)
    except Exception as exc:  # noqa: BLE001 - whatever breaks is the finding
        return Kill(number, target, stage, detail, run_s, in_stage_s, "", False, f"published warehouse unreadable: {exc}")
    if snapshot == last_good:
        note = "still serves the last good snapshot"
        ok = True
    else:  # only the swap itself may change it, so the kill must have come after it
        ok = stage in ("publication", "extracts", "")
        note = "serves the new snapshot: the swap was done before the kill" if ok else "snapshot changed outside publication"
    leftovers = _leftovers(home)
    return Kill(number, target, stage, detail, run_s, in_stage_s, snapshot, ok,
                note + (f"; left behind: {', '.join(leftovers)}" if leftovers else ""))


def _leftovers(home: Paths) -> list[str]:
    found = [p.name for p in home.warehouse_dir.glob("*.next*")]
    partial = sum(1 for _ in home.archive.rglob("*.partial"))
    return found + ([f"{partial} archive .partial"] if partial else [])


def _describe(kill: Kill) -> str:
    where = f"killed in {kill.stage}" if kill.stage else "not killed"
    extra = f"; {kill.detail}" if kill.detail else ""
    return (f"kill {kill.number}: target {kill.target} → {where} {kill.in_stage_s:.2f} s into the stage "
            f"(run {kill.run_s:.1f} s{extra}); snapshot {kill.snapshot[:8] or '?'}: {kill.note} → {'OK' if kill.ok else 'FAIL'}")


# ---------------------------------------------------------------- after the final run


def _verify(home: Paths, reference: Paths, last_good: str) -> list[Check]:
    checks = []
    snapshot = snapshot_of(home.published_db)
    checks.append(Check("a new snapshot is published", snapshot != last_good, f"{last_good[:8]} → {snapshot[:8]}"))
    leftovers = _leftovers(home)
    checks.append(Check("no temporary file left", not leftovers, ", ".join(leftovers) or "none"))
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        checks += _files_accounted(home, con)
        checks += _rows_counted_once(con)
        with duckdb.connect(str(reference.work_db), read_only=True) as ref:
            ours = {sha for (sha,) in con.execute("SELECT file_sha FROM quality.files").fetchall()}
            theirs = {sha for (sha,) in ref.execute("SELECT file_sha FROM quality.files").fetchall()}
    checks.append(Check("the reference ran on the same landing", ours == theirs,
                        f"{len(ours)} files, {len(ours ^ theirs)} differing"))
    ours, theirs = _mart_totals(home.published_db), _mart_totals(reference.published_db)
    differing = [f"{t}.{c}: {ours.get(t, {}).get(c)} vs {theirs.get(t, {}).get(c)}"
                 for t in sorted(set(ours) | set(theirs)) for c in sorted(set(ours.get(t, {})) | set(theirs.get(t, {})))
                 if not _same(ours.get(t, {}).get(c), theirs.get(t, {}).get(c))]
    checks.append(Check("marts equal a clean run's", not differing,
                        f"{len(ours)} tables, {sum(len(v) for v in ours.values())} totals compared"
                        + (f"; differing: {'; '.join(differing[:10])}" if differing else "")))
    return checks


def _files_accounted(home: Paths, con) -> list[Check]:
    recorded = dict(con.execute("SELECT file_sha, archive_path FROM quality.files").fetchall())
    arrived = {path for (path,) in con.execute("SELECT landing_path FROM quality.arrivals").fetchall()}
    landing = [p for p in home.landing.rglob("*") if p.is_file()]
    lost = [p.name for p in landing if landing_key(p) not in arrived or sha256_of(p) not in recorded]
    bad_archive = [sha[:12] for sha, key in recorded.items()
                   if not key or not (home.archive / key).is_file() or sha256_of(home.archive / key) != sha]
    seen_twice = con.execute("SELECT count(*) FROM (SELECT landing_path FROM quality.arrivals GROUP BY 1 HAVING count(*) > 1)").fetchone()[0]
    new_twice = con.execute("SELECT count(*) FROM (SELECT file_sha FROM quality.arrivals WHERE outcome = 'new' "
                            "GROUP BY 1 HAVING count(*) <> 1)").fetchone()[0]
    missing_new = len(set(recorded) - {s for (s,) in con.execute("SELECT file_sha FROM quality.arrivals WHERE outcome = 'new'").fetchall()})
    return [
        Check("no file lost", not lost, f"{len(landing)} landing files, {len(lost)} unrecorded" + (f": {lost[:5]}" if lost else "")),
        Check("archive intact", not bad_archive, f"{len(recorded)} archived files re-hashed, {len(bad_archive)} wrong or missing"),
        Check("each file received once", not (seen_twice or new_twice or missing_new),
              f"{seen_twice} landing paths recorded twice, {new_twice + missing_new} files without exactly one 'new' arrival"),
    ]


def _rows_counted_once(con) -> list[Check]:
    mismatched, doubled = [], []
    for kind, loaded in con.execute("SELECT kind, sum(rows_loaded) FROM quality.files WHERE status = 'loaded' GROUP BY 1").fetchall():
        rows, distinct = con.execute(f"SELECT count(*), count(DISTINCT (_file_sha, _row_number)) FROM raw.{kind}").fetchone()
        if rows != loaded:
            mismatched.append(f"raw.{kind} {rows} rows vs {loaded} loaded")
        if distinct != rows:
            doubled.append(f"raw.{kind}: {rows - distinct}")
    unbalanced = con.execute("""
        SELECT f.file_name FROM quality.files f
        LEFT JOIN (SELECT file_sha, count(DISTINCT row_number) AS n, count(*) AS rows FROM quality.rejected_rows GROUP BY 1) r USING (file_sha)
        LEFT JOIN (SELECT file_sha, count(DISTINCT row_number) AS n, count(*) AS cells,
                          count(DISTINCT (row_number, column_name)) AS distinct_cells FROM quality.rejects GROUP BY 1) j USING (file_sha)
        WHERE f.status = 'loaded' AND (f.rows_read <> f.rows_loaded + f.rows_rejected + f.rows_skipped
              OR coalesce(r.n, 0) <> f.rows_rejected OR coalesce(r.rows, 0) <> f.rows_rejected
              OR coalesce(j.n, 0) <> f.rows_rejected OR j.cells <> j.distinct_cells)
    """).fetchall()
    raw_total = sum(con.execute(f"SELECT count(*) FROM raw.{k}").fetchone()[0]
                    for (k,) in con.execute("SELECT DISTINCT kind FROM quality.files WHERE status = 'loaded'").fetchall())
    return [
        Check("raw rows = rows loaded per quality.files", not mismatched, f"{raw_total} raw rows" + (f"; {mismatched}" if mismatched else "")),
        Check("no (file, row) loaded twice", not doubled, "; ".join(doubled) or "none"),
        Check("read = loaded + rejected + skipped, rejects once per row", not unbalanced,
              f"{len(unbalanced)} files out of balance" + (f": {[n for (n,) in unbalanced[:5]]}" if unbalanced else "")),
    ]


def _mart_totals(published_db: Path) -> dict[str, dict[str, float]]:
    """Rows and the sum of every numeric column of every published mart (publication excepted)."""
    out: dict[str, dict[str, float]] = {}
    with duckdb.connect(str(published_db), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for table, column, type_ in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name <> 'publication' ORDER BY table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, [])
            if type_.split("(")[0] in NUMERIC:
                columns[table].append(column)
        for table, numeric in columns.items():
            values = con.execute(
                f'SELECT count(*) {"".join(f", sum({_q(c)})::DOUBLE" for c in numeric)} FROM marts.{_q(table)}'
            ).fetchone()
            out[table] = dict(zip(["rows", *numeric], values))
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
