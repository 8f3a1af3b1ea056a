"""`anju drill hostile`: the hostile corpus (drills/corpus.py) beside a generated sample city, through
the real pipeline; every file's fate read back from the quality tables and printed.

    anju drill hostile --scale small [--seed 1] [--home DIR]

1. generate the sample city into HOME (landing/ and the generator's truth/);
2. drop the corpus's first batch into landing/ and run `anju run` (a subprocess, as a user would);
3. drop the second batch (hostile names, a duplicate delivery), evaluate every landing sensor once
   against HOME's Dagster instance, and execute each ingest_files run it requests;
4. read each file's outcome and reason from quality.arrivals, files, rejects and warnings, run the
   cases' extra checks and the drill's own (archive, sample files, nothing executed), print a table.

Exit 1 if a file is not handled as the corpus expects, a reason is missing, a check fails, the run
fails or a sensor or its run fails.
"""

from __future__ import annotations

import contextlib
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import openpyxl

from drills import corpus
from drills.corpus import Case
from pipelines.ingest.loader import landing_key, readable, sha256_of
from pipelines.run_summary import printable
from pipelines.settings import REPO_ROOT, SOURCES, Paths

ANJU = Path(sys.executable).with_name("anju")
SETTLED = 2 * 86400  # the corpus arrived two days ago: hidden names are no longer "in transfer"


@dataclass
class CaseResult:
    case: Case
    actual: str
    reason: str  # as recorded
    rows_loaded: int | None
    arrivals: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    results: list[CaseResult]
    failures: list[str]  # the drill's own checks: the run, the sensors, the archive, the sample
    notes: list[str]  # figures: run time and memory, sensor runs, the million-row files

    @property
    def ok(self) -> bool:
        return not self.failures and all(r.ok for r in self.results)


def main(args) -> int:
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="anju-hostile-"))
    report = run_drill(home, scale=args.scale, seed=args.seed, months=args.months)
    print_report(report)
    print(f"home: {home}")
    return 0 if report.ok else 1


def run_drill(home: Path, scale: str = "small", seed: int = 1, months: int = 24, huge: bool = True) -> Report:
    """Everything above; `months` shortens the sample, `huge=False` leaves out the million-row files."""
    from sample_data.generate import generate

    home = home.resolve()
    paths = Paths(home)
    if paths.landing.exists():
        raise SystemExit(f"{home} already holds a landing zone: the drill needs a fresh folder")
    notes: list[str] = []
    started = time.monotonic()
    generate(home, scale=scale, seed=seed, months=months)
    notes.append(f"generate: --scale {scale} --seed {seed} --months {months} in {time.monotonic() - started:.0f} s")

    city = corpus.city_of(home)
    cases = [c for c in corpus.build(city, paths.landing, home / "outside") if huge or not c.huge]
    arrival = time.time() - SETTLED
    started = time.monotonic()
    for index, case in enumerate(c for c in cases if c.batch == 1):
        _drop(paths, case, arrival + index)
    notes.append(f"corpus: {len(cases)} files written in {time.monotonic() - started:.0f} s")

    failures = _anju_run(home, notes)
    for index, case in enumerate(c for c in cases if c.batch == 2):
        _drop(paths, case, arrival + 3600 + index)
    failures += _sensor_pass(paths, notes)

    with duckdb.connect(str(paths.work_db), read_only=True) as con:
        evidence = Evidence(paths, con, city)
        results = [_result(evidence, case) for case in cases]
        failures += _archive_failures(paths, con) + _sample_failures(paths, con, notes)
        notes += [_huge_timing(con, r) for r in results if r.case.huge and r.rows_loaded]
    return Report(results, failures, notes)


def _path(paths: Paths, case: Case) -> Path:
    return paths.landing / case.source / case.name


def _drop(paths: Paths, case: Case, arrived: float) -> None:
    path = _path(paths, case)
    path.parent.mkdir(parents=True, exist_ok=True)
    case.write(path)
    os.utime(path, (arrived, arrived), follow_symlinks=False)


# ---------------------------------------------------------------- running the pipeline


def _anju_run(home: Path, notes: list[str]) -> list[str]:
    """`anju run` as a subprocess, from HOME: a name that a shell would run would act there."""
    log = Paths(home).logs / "drill-anju-run.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run([str(ANJU), "run"], cwd=home, env={**os.environ, "ANJU_HOME": str(home)},
                                stdout=out, stderr=subprocess.STDOUT, timeout=4 * 3600)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    notes.append(f"anju run: exit {result.returncode} in {time.monotonic() - started:.0f} s, peak RSS {peak:.1f} GiB; output in {log}")
    text = log.read_text(encoding="utf-8", errors="replace")
    failures = [] if result.returncode == 0 else [f"anju run failed (exit {result.returncode}); see {log}"]
    if "ROWS DO NOT ADD UP" in text:
        failures.append(f"anju run: a file's rows do not add up; see {log}")
    return failures


@contextlib.contextmanager
def _environment(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _sensor_pass(paths: Paths, notes: list[str]) -> list[str]:
    """One tick of every landing sensor, with no cursor (so it sees every entry, hostile ones
    included), and the ingest_files runs it requests, stored in HOME's Dagster instance with their
    run keys as a daemon would store them."""
    failures, runs = [], []
    with _environment(ANJU_HOME=str(paths.home), DAGSTER_HOME=str(paths.dagster_home)):
        from dagster import DagsterInstance, build_sensor_context

        from pipelines.definitions import defs

        job = defs.resolve_job_def("ingest_files")
        quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
        with DagsterInstance.get() as instance:
            for source in SOURCES:
                name = f"landing_{source}"
                try:
                    tick = defs.resolve_sensor_def(name).evaluate_tick(build_sensor_context(instance=instance, sensor_name=name, definitions=defs))
                except Exception as exc:  # the drill reports a crashing sensor instead of crashing itself
                    failures.append(f"sensor {name} crashed: {type(exc).__name__}: {exc}")
                    continue
                for request in tick.run_requests:
                    tags = {**request.tags, "dagster/run_key": request.run_key, "dagster/sensor_name": name}
                    try:
                        result = job.execute_in_process(run_config={**request.run_config, **quiet}, instance=instance,
                                                        tags=tags, raise_on_error=False)
                        ok = result.success
                    except Exception as exc:
                        ok, result = False, exc
                    runs.append((name, len(request.run_config["ops"]["ingest_landing"]["config"]["files"]), ok))
                    if not ok:
                        failures.append(f"sensor {name}: its ingest_files run failed: {result}")
    notes.append(f"sensors: {len(SOURCES)} evaluated, {len(runs)} runs requested, {sum(ok for *_, ok in runs)} succeeded ("
                 + ", ".join(f"{name}: {files} files" for name, files, _ in runs) + ")")
    return failures


# ---------------------------------------------------------------- what happened to each file


@dataclass
class Evidence:
    paths: Paths
    con: duckdb.DuckDBPyConnection
    city: corpus.City

    def extract(self, title: str, suffix: str) -> Path:
        """The newest snapshot's extract file of the corpus's district."""
        with duckdb.connect(str(self.paths.published_db), read_only=True) as published:
            snapshot = published.execute("SELECT snapshot_id FROM marts.publication").fetchone()[0]
        [found] = (self.paths.extracts / snapshot / self.city.district_code).glob(f"*_{title}{suffix}")
        return found


def _result(evidence: Evidence, case: Case) -> CaseResult:
    key = landing_key(_path(evidence.paths, case))
    rows = evidence.con.execute(
        "SELECT a.outcome, a.file_sha, f.status, f.reason, f.rows_loaded, f.rows_rejected, f.file_name "
        "FROM quality.arrivals a LEFT JOIN quality.files f USING (file_sha) WHERE a.landing_path = ? ORDER BY a.seen_at", [key]
    ).fetchall()
    if not rows:
        return CaseResult(case, "not seen", "", None, 0, ["no arrival recorded: the file was never read"])
    outcome, sha, status, reason, loaded, rejected, first_name = rows[0]
    if outcome == corpus.DUPLICATE:
        actual, recorded, loaded = corpus.DUPLICATE, f"same bytes as {first_name}", None
    elif status == corpus.QUARANTINED:
        actual, recorded = corpus.QUARANTINED, reason or ""
    else:
        actual = corpus.LOADED_WITH_REJECTS if rejected else corpus.LOADED
        table, column = ("quality.rejects", "rule") if rejected else ("quality.warnings", "warning")
        counts = evidence.con.execute(
            f"SELECT {column}, count(DISTINCT row_number) FROM {table} WHERE file_sha = ? GROUP BY 1 ORDER BY 1", [sha]).fetchall()
        recorded = "; ".join(f"{text} ×{n}" for text, n in counts)
    result = CaseResult(case, actual, recorded, loaded, len(rows))
    if actual != case.expected:
        result.problems.append(f"expected {case.expected}, was {actual}")
    if case.expected != corpus.LOADED and not recorded:
        result.problems.append("no reason recorded")
    if case.reason not in recorded:
        result.problems.append(f"the recorded reason lacks “{case.reason}”")
    if len(rows) != 1:
        result.problems.append(f"seen {len(rows)} times")
    if case.rows_loaded is not None and loaded != case.rows_loaded:
        result.problems.append(f"{loaded} rows loaded, expected {case.rows_loaded}")
    for name in case.checks:
        problem = CHECKS[name](evidence, case, sha)
        if problem:
            result.problems.append(problem)
    return result


def _check_link_not_followed(evidence: Evidence, case: Case, sha: str) -> str | None:
    target = os.readlink(_path(evidence.paths, case))
    if evidence.con.execute("SELECT count(*) FROM quality.files WHERE file_sha = ?", [sha256_of(Path(target))]).fetchone()[0]:
        return f"the link's target {target} was read"
    return None


def _check_ten_mib_field(evidence: Evidence, case: Case, sha: str) -> str | None:
    [(content,)] = evidence.con.execute("SELECT content FROM raw.work_order WHERE _file_sha = ?", [sha]).fetchall()
    return None if content == corpus.TEN_MIB_TEXT else f"诉求内容 loaded as {len(content or '')} characters, not the {len(corpus.TEN_MIB_TEXT)} written"


def _loaded_as_written(evidence: Evidence, sha: str, values: list[str]) -> str | None:
    got = evidence.con.execute(
        "SELECT order_no, complaint_subtype, content FROM raw.work_order WHERE _file_sha = ? ORDER BY _row_number", [sha]).fetchall()
    expected = [(v, v, v) for v in values]
    return None if got == expected else f"raw.work_order holds {got}, not the text as written"


def _check_formulas(evidence: Evidence, case: Case, sha: str) -> str | None:
    """Loaded as written; in the district's 未办结投诉 extract, as CSV and XLSX, each carries a
    leading ' and no cell of either file starts with = + - @."""
    problem = _loaded_as_written(evidence, sha, corpus.FORMULAS)
    if problem:
        return problem
    csv_path, xlsx_path = evidence.extract("未办结投诉", ".csv"), evidence.extract("未办结投诉", ".xlsx")
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        csv_cells = [cell for row in csv.reader(f) for cell in row]
    book = openpyxl.load_workbook(xlsx_path, read_only=True)
    xlsx_cells = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    for label, cells in (("CSV", csv_cells), ("XLSX", xlsx_cells)):
        live = [c for c in cells if c.startswith(("=", "+", "-", "@"))]
        if live:
            return f"{label} extract holds cells a spreadsheet would run: {live[:3]}"
        missing = [v for v in corpus.FORMULAS if cells.count("'" + v) < 2]  # 工单编号 and 诉求子类
        if missing:
            return f"{label} extract lacks the neutralised '{missing[0]}"
    return None


def _check_markup(evidence: Evidence, case: Case, sha: str) -> str | None:
    problem = _loaded_as_written(evidence, sha, corpus.MARKUP)
    if problem:
        return problem
    text = evidence.extract("未办结投诉", ".csv").read_text(encoding="utf-8-sig")
    missing = [v for v in corpus.MARKUP if v not in text]
    return f"the CSV extract lacks {missing[0]!r} as text" if missing else None


def _check_nothing_ran(evidence: Evidence, case: Case, sha: str) -> str | None:
    places = [evidence.paths.home, REPO_ROOT, Path.cwd(), evidence.paths.landing / case.source, Path.home()]
    created = [str(p / corpus.PWNED) for p in places if (p / corpus.PWNED).exists()]
    return f"something ran the file name: {created}" if created else None


def _check_summary_not_forged(evidence: Evidence, case: Case, sha: str) -> str | None:
    log = evidence.paths.logs / "drill-anju-run.log"
    forged = [line for line in log.read_text(encoding="utf-8").splitlines() if line.startswith(corpus.FORGED_LINE)]
    return f"{log} holds the forged line {forged[0]!r}" if forged else None


def _check_not_counted_twice(evidence: Evidence, case: Case, sha: str) -> str | None:
    [(rows, loaded, new)] = evidence.con.execute(
        "SELECT (SELECT count(*) FROM raw.work_order WHERE _file_sha = $1), (SELECT rows_loaded FROM quality.files WHERE file_sha = $1), "
        "(SELECT count(*) FROM quality.arrivals WHERE file_sha = $1 AND outcome = 'new')", [sha]).fetchall()
    return None if rows == loaded and new == 1 else f"raw holds {rows} rows of these bytes, {loaded} loaded, read as new {new} times"


CHECKS: dict[str, Callable[[Evidence, Case, str], str | None]] = {
    "link_not_followed": _check_link_not_followed,
    "ten_mib_field": _check_ten_mib_field,
    "formulas": _check_formulas,
    "markup": _check_markup,
    "nothing_ran": _check_nothing_ran,
    "summary_not_forged": _check_summary_not_forged,
    "not_counted_twice": _check_not_counted_twice,
}


def _archive_failures(paths: Paths, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every archived file sits under archive/, named by its checksum, whatever its name was."""
    root = paths.archive.resolve()
    failures = []
    for sha, archived in con.execute("SELECT file_sha, archive_path FROM quality.files WHERE archive_path IS NOT NULL").fetchall():
        path = (root / archived).resolve()
        if path.parent.parent != root or path.name != sha or not path.is_file():
            failures.append(f"archive: {archived} is not archive/<sha[:2]>/{sha}")
    return failures


def _sample_failures(paths: Paths, con: duckdb.DuckDBPyConnection, notes: list[str]) -> list[str]:
    """The generated sample's own files fare as the generator's truth expects, corpus or not."""
    outcome = {"load": "loaded", "quarantine": "quarantined", "duplicate": "duplicate"}
    with (paths.home / "truth" / "files.csv").open(encoding="utf-8", newline="") as f:
        expected = {row["file"]: outcome[row["expected"]] for row in csv.DictReader(f)}
    actual = {}
    for landing_path, arrival, status in con.execute(
            "SELECT a.landing_path, a.outcome, f.status FROM quality.arrivals a LEFT JOIN quality.files f USING (file_sha)").fetchall():
        actual[landing_path] = "duplicate" if arrival == "duplicate" else status
    wrong = [f"sample file {name}: expected {want}, was {actual.get(landing_key(paths.landing / name), 'not seen')}"
             for name, want in expected.items() if actual.get(landing_key(paths.landing / name)) != want]
    counts = {v: list(expected.values()).count(v) for v in sorted(set(expected.values()))}
    notes.append(f"sample: {len(expected)} files {counts}, {len(expected) - len(wrong)} as the generator's truth expects")
    return wrong


def _huge_timing(con: duckdb.DuckDBPyConnection, result: CaseResult) -> str:
    """Seconds from this file's start to the next file's, in the run that read it (files are read one by one)."""
    [(seconds,)] = con.execute(
        "WITH f AS (SELECT file_name, ingested_at, lead(ingested_at) OVER (PARTITION BY run_id ORDER BY ingested_at) AS next FROM quality.files) "
        "SELECT date_diff('second', ingested_at, next) FROM f WHERE file_name = ?", [result.case.name]).fetchall()
    return f"{result.case.what}: {result.rows_loaded:,} rows loaded in about {seconds} s"


# ---------------------------------------------------------------- the table


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    if _width(text) > width:
        cut = ""
        for ch in text:
            if _width(cut + ch) > width - 1:
                break
            cut += ch
        text = cut + "…"
    return text + " " * (width - _width(text))


def _shown(name: str) -> str:
    """A file name as `anju run` prints it: decoded as the pipeline decodes it, control characters escaped."""
    return printable(readable(name))


def print_report(report: Report) -> None:
    columns = (("#", 3), ("file", 44), ("what", 40), ("expected", 19), ("actual", 19), ("reason recorded", 60), ("ok", 4))
    print("  ".join(_fit(title, width) for title, width in columns))
    for number, r in enumerate(report.results, start=1):
        cells = (str(number), f"{r.case.source}/{_shown(r.case.name)}", r.case.what, r.case.expected, r.actual,
                 _shown(r.reason) or "-", "ok" if r.ok else "FAIL")
        print("  ".join(_fit(cell, width) for cell, (_, width) in zip(cells, columns)).rstrip())
        for problem in r.problems:
            print(f"      FAIL: {problem}")
    by_outcome = {}
    for r in report.results:
        by_outcome[r.actual] = by_outcome.get(r.actual, 0) + 1
    print(f"\nfiles: {len(report.results)} {dict(sorted(by_outcome.items()))}; handled as expected: {sum(r.ok for r in report.results)}; "
          f"failed: {sum(not r.ok for r in report.results)}")
    for note in report.notes:
        print(note)
    for failure in report.failures:
        print(f"FAIL: {failure}")
    print("hostile drill: " + ("PASSED" if report.ok else "FAILED"))
