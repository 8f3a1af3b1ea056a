"""`anju bench --scale small` end to end: the report is complete and its figures agree with each
other and with the databases the bench built. Timing is printed, never asserted."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import duckdb
import pytest
import yaml

from benchmarks.stages import STAGES
from pipelines.settings import DASHBOARDS_DIR, REPO_ROOT, Paths
from tests.conftest import SHORT_MONTHS, SMALL_SEED, run_ok

pytestmark = pytest.mark.slow


def _overview_charts() -> set[str]:
    """Chart names of 城市总览 as the dashboard bundle places them."""
    bundle = DASHBOARDS_DIR / "bundle"
    dashboard = yaml.safe_load((bundle / "dashboards" / "city-overview.yaml").read_text(encoding="utf-8"))
    uuids = {item["meta"]["uuid"] for item in dashboard["position"].values() if isinstance(item, dict) and item.get("type") == "CHART"}
    charts = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (bundle / "charts").glob("*.yaml")]
    return {c["slice_name"] for c in charts if c["uuid"] in uuids}


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    home = tmp_path_factory.mktemp("bench")
    result = run_ok(home, "bench", "--scale", "small", "--seed", str(SMALL_SEED), "--months", str(SHORT_MONTHS),
                    "--chart-requests", "3", "--home", str(home),
                    timeout=3600)
    (home / "bench.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return home, result.stdout, json.loads((home / "bench-results.json").read_text(encoding="utf-8"))


def test_every_stage_of_both_runs_is_reported_with_its_figures(bench):
    _, out, report = bench
    for run in ("full", "incremental"):
        assert [s["stage"] for s in report[run]] == list(STAGES), run
        for s in report[run]:
            assert s["success"] and s["wall_s"] > 0 and s["peak_rss_mib"] > 0, s
            line = f"{STAGES[s['stage']]:<22}{s['wall_s']:>9.1f}{s['rows']:>13,}"
            assert line in out, f"{run}: no line {line!r}"
    assert report["full_s"] == pytest.approx(sum(s["wall_s"] for s in report["full"]))
    assert report["incremental_s"] == pytest.approx(sum(s["wall_s"] for s in report["incremental"]))
    for s in report["full"] + report["incremental"]:
        assert s["rows"] > 0, s  # every stage read or wrote something, the incremental one too


def test_rows_ingested_are_the_rows_the_quality_records_count(bench):
    home, _, report = bench
    work = Paths(home / "pipeline").work_db
    with duckdb.connect(str(work), read_only=True) as con:
        for run in ("full", "incremental"):
            ingest = report[run][0]
            read, loaded, rejected, skipped = con.execute(
                "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected), sum(rows_skipped) FROM quality.files "
                "WHERE run_id = ?", [ingest["detail"]["run_id"]]).fetchone()
            assert ingest["rows"] == read == loaded + rejected + skipped
            files = ingest["detail"]["files_accepted"] + ingest["detail"]["files_quarantined"] + ingest["detail"]["files_duplicate"]
            assert files == report["sample"][f"files_{run}"]
        (total,) = con.execute("SELECT sum(rows_read) FROM quality.files").fetchone()
    assert total == report["full"][0]["rows"] + report["incremental"][0]["rows"]


def test_publication_rows_are_the_published_tables(bench):
    home, _, report = bench
    published = Paths(home / "pipeline").published_db
    with duckdb.connect(str(published), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()]
        rows = sum(con.execute(f'SELECT count(*) FROM marts."{t}"').fetchone()[0] for t in tables)
    assert report["incremental"][3]["rows"] == rows


def test_baseline_reads_the_full_runs_files_or_names_them(bench):
    _, out, report = bench
    baseline = report["baseline"]
    assert baseline["files"] == report["sample"]["files_full"]
    assert baseline["files_read"] + len(baseline["unreadable"]) == baseline["files"]
    assert sum(g["files"] for g in baseline["by_how"].values()) == baseline["files_read"]
    assert baseline["rows"] > 0 and baseline["wall_s"] > 0
    assert f"files DuckDB could not read at all: {len(baseline['unreadable'])}" in out
    ratio = re.search(r"full pipeline ÷ baseline = [\d.]+ s ÷ [\d.]+ s = ([\d.]+)", out)
    assert ratio and float(ratio.group(1)) == pytest.approx(report["full_over_baseline"], abs=0.006)


def test_every_overview_chart_has_its_latency(bench):
    _, out, report = bench
    charts = {c["chart"]: c for c in report["charts"]}
    assert set(charts) == _overview_charts()
    for name, c in charts.items():
        assert 0 < c["p50_s"] <= c["p95_s"] <= c["max_s"], c
        assert f"  {name} (" in out


def test_summary_judges_every_target(bench):
    _, out, report = bench
    assert [t["target"].split(" ")[0] for t in report["targets"]] == ["full", "incremental", "every"]
    for t in report["targets"]:
        assert f"{'PASS' if t['passed'] else 'FAIL'}  {t['target']}: {t['value']}" in out
    assert f"incremental ÷ full = {report['incremental_s']:.1f} s ÷ {report['full_s']:.1f} s" in out


def test_identity_score_reads_a_bench_home(bench):
    """`python -m benchmarks.identity_score` on a bench home (truth beside the pipeline home): every
    ID link names the true person, Splink's links almost all, and the summary is printed."""
    home, _, _ = bench
    result = subprocess.run([sys.executable, "-m", "benchmarks.identity_score", "--home", str(home / "pipeline"),
                             "--truth", str(home / "sample" / "truth")],
                            capture_output=True, text=True, timeout=600, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    precision = {label.strip(): float(p) for label, p in
                 re.findall(r"^  (\S.*?)\s+precision (\S+)  recall", result.stdout, re.M)}
    assert precision["household_roster (ID)"] == 1.0, result.stdout
    splink = [p for label, p in precision.items() if label.endswith("splink only") and p == p]  # NaN: no Splink link
    assert splink and min(splink) >= 0.98, result.stdout
    assert re.search(r"^SUMMARY estates: P=\S+ R=\S+  dwellings: P=\S+ R=\S+  residents: P=\S+ R=\S+$",
                     result.stdout, re.M), result.stdout
