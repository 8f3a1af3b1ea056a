"""The published 1+N scorecard against the generator's truth, and the weights seed as data.

INDICATORS.md is the specification; the truth is the generator's reading of it on the clean world.
A mess item that rejects or unmatches a row makes a correct warehouse differ slightly from that truth,
so agreement is asserted exactly only where the truth says every row that feeds the figure is clean,
and within 0.5 percentage points (mean absolute difference) overall.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import REPO_ROOT

DBT = str(Path(sys.executable).with_name("dbt"))
RATES = ["satisfaction", "mediation", "fund_collection", "fee_collection", "participation", "service"]
# Which truth row kinds feed each figure (rows.parquet `kind`); register/roster feed every row's existence.
FEEDS = {
    "satisfaction": ["surveys"],
    "mediation": ["complaints"],
    "fund_collection": ["deposits", "units"],
    "fee_collection": ["fees"],
    "participation": ["participation", "roster"],
    "service": ["services", "facilities"],
}
TOLERANCE = 0.005  # 0.5 percentage points


def _compare(published: Path, truth: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH '{published}' AS pub (READ_ONLY)")
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{truth / 'indicators' / 'scorecard.parquet'}')")
    con.execute(f"CREATE VIEW rows_truth AS SELECT * FROM read_parquet('{truth / 'rows.parquet'}')")
    con.execute(f"CREATE VIEW files_truth AS SELECT * FROM read_csv('{truth / 'files.csv'}', all_varchar = true)")
    truth_cols = ", ".join(f"t.{r}_rate AS t_{r}_rate" for r in RATES)
    con.execute(f"""
        CREATE VIEW joined AS
        SELECT s.*, {truth_cols}, t.total_score AS t_total_score, t.grade AS t_grade,
               t.district_rank AS t_district_rank, t.list_flag AS t_list_flag,
               t.estate_type AS t_estate_type, t.n_value AS t_n_value
        FROM pub.marts.community_scorecard s
        JOIN t ON s.month = CAST(t.month AS DATE) AND s.estate_code = t.estate_code
    """)
    return con


def _unclean_estates(con: duckdb.DuckDBPyConnection, kinds: list[str]) -> set[str]:
    """Estates with at least one messy row (any mess item) in a kind that feeds the figure, or any estate
    at all when a file of that kind has a whole-file fault."""
    names = ", ".join(f"'{k}'" for k in kinds)
    faulted = con.execute(
        f"SELECT count(*) FROM files_truth WHERE kind IN ({names}) AND coalesce(fault, '') <> '' AND data_rows <> '0'"
    ).fetchone()[0]
    if faulted:
        return {r[0] for r in con.execute("SELECT DISTINCT estate_code FROM t").fetchall()}
    return {r[0] for r in con.execute(
        f"SELECT DISTINCT estate_code FROM rows_truth WHERE kind IN ({names}) AND coalesce(mess, '') <> ''"
    ).fetchall()}


def test_scorecard_agrees_with_truth(published_warehouse):
    con = _compare(published_warehouse.published_db, published_warehouse.home / "truth")
    truth_rows, ours, matched = con.execute(
        "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM pub.marts.community_scorecard), (SELECT count(*) FROM joined)"
    ).fetchone()
    print(f"\nscorecard rows: truth {truth_rows}, published {ours}, matched {matched}")
    assert truth_rows == ours == matched, "one row per estate of the register snapshot and month"

    failures = []
    print(f"{'indicator':22s} {'max |diff|':>11s} {'mean |diff|':>12s} {'null mismatch':>14s} {'clean pairs':>12s} worst (month, estate)")
    for r in RATES:
        a, b = f"{r}_rate", f"t_{r}_rate"
        mx, mean, nulls, worst_month, worst_estate = con.execute(f"""
            SELECT max(abs({a} - {b})), coalesce(avg(abs({a} - {b})), 0),
                   count(*) FILTER (WHERE ({a} IS NULL) <> ({b} IS NULL)),
                   arg_max(month, abs(coalesce({a}, -1) - coalesce({b}, -1))),
                   arg_max(estate_code, abs(coalesce({a}, -1) - coalesce({b}, -1)))
            FROM joined""").fetchone()
        unclean = _unclean_estates(con, FEEDS[r])
        clean = con.execute(f"""
            SELECT estate_code, month, {a}, {b} FROM joined
            WHERE estate_code NOT IN (SELECT unnest(?::VARCHAR[]))""", [sorted(unclean)]).fetchall()
        clean_bad = [(e, m, x, y) for e, m, x, y in clean if (x is None) != (y is None) or (x is not None and abs(x - y) > 1e-9)]
        print(f"{r:22s} {mx or 0:11.6f} {mean:12.6f} {nulls:14d} {len(clean):12d} {worst_month} {worst_estate}")
        if clean_bad:
            failures.append(f"{r}: {len(clean_bad)} clean rows differ, e.g. {clean_bad[:3]}")
        if mean > TOLERANCE:
            failures.append(f"{r}: mean |diff| {mean:.4f} > {TOLERANCE}")

    total_max, total_mean = con.execute(
        "SELECT max(abs(total_score - t_total_score)), avg(abs(total_score - t_total_score)) FROM joined").fetchone()
    mism = con.execute("""
        SELECT count(*) FILTER (WHERE grade IS DISTINCT FROM t_grade),
               count(*) FILTER (WHERE district_rank IS DISTINCT FROM t_district_rank),
               count(*) FILTER (WHERE list_flag IS DISTINCT FROM t_list_flag),
               count(*) FILTER (WHERE estate_type IS DISTINCT FROM t_estate_type),
               max(abs(n_value - t_n_value))
        FROM joined""").fetchone()
    print(f"{'total_score':22s} {total_max or 0:11.3f} {total_mean or 0:12.4f}   (points)")
    print(f"grade mismatches {mism[0]}, rank {mism[1]}, list_flag {mism[2]}, estate_type {mism[3]}, n_value max |diff| {mism[4]}")
    assert mism[3] == 0, "estate types differ from the truth"
    assert not failures, "\n".join(failures)


def _round_half_up(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_weights_seed_drives_the_scores(published_warehouse, tmp_path):
    """Change the 2026 weights and targets in a copy of the seed: 2026 totals follow, 2025 rows do not move."""
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    work_db = tmp_path / "anju_work.duckdb"
    shutil.copy(published_warehouse.work_db, work_db)

    def scorecard() -> dict:
        with duckdb.connect(str(work_db), read_only=True) as con:
            return {(m, e): (t, s) for m, e, t, s in con.execute(
                "SELECT month, estate_code, total_score, service_score FROM marts.community_scorecard").fetchall()}

    before = scorecard()
    seed = project / "seeds" / "assessment_weights.csv"
    lines = seed.read_text(encoding="utf-8").splitlines()
    # 2026: only the service indicator weighs, with a lower target
    changed = [lines[0]] + [
        (f"2026,{ind},{10 if ind == 'service' else 0},{0.45 if ind == 'service' else tgt}" if year == "2026" else line)
        for line in lines[1:] for year, ind, _, tgt in [line.split(",")]
    ]
    seed.write_text("\n".join(changed) + "\n", encoding="utf-8")

    env = {**os.environ, "ANJU_WORK_DB": str(work_db)}
    for args in (["seed", "--select", "assessment_weights"], ["run", "--select", "community_scorecard"]):
        result = subprocess.run([DBT, *args, "--profiles-dir", str(project), "--project-dir", str(project)],
                                env=env, cwd=project, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    after = scorecard()
    assert after.keys() == before.keys()
    with duckdb.connect(str(work_db), read_only=True) as con:
        rows = con.execute("SELECT month, estate_code, service_rate, service_score, total_score FROM marts.community_scorecard").fetchall()
    checked_2026 = 0
    for month, estate, rate, score, total in rows:
        if month.year == 2026:
            if rate is None:
                assert total is None
                continue
            expected_score = 100 * min(1.0, rate / 0.45)
            assert score == pytest.approx(expected_score)
            assert abs(float(total) - _round_half_up(expected_score)) <= 0.05 + 1e-9
            checked_2026 += 1
        else:
            assert after[(month, estate)] == before[(month, estate)], "a year whose weights did not change moved"
    assert checked_2026 > 0
    changed_totals = sum(1 for k in before if k[0].year == 2026 and before[k][0] != after[k][0])
    print(f"\n2026 rows recomputed: {checked_2026}; totals changed: {changed_totals}")
    assert changed_totals > 0
