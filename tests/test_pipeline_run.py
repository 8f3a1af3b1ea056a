"""`anju run` end to end: real files → Dagster → Great Expectations → dbt → published DuckDB."""

from __future__ import annotations

import os
import shutil
import zipfile

import duckdb
import pandas as pd

from pipelines.settings import Paths
from pipelines.warehouse.dbt import (
    BUILT_WITH,
    INVOCATION_DIR,
    KEEP_INVOCATIONS,
    PARTIAL_PARSE,
    code_fingerprint,
    needs_full_refresh,
    prune_invocations,
    record_complete_build,
)
from tests.conftest import run_anju, run_ok
from tests.exports import (
    COMMUNITY_HEADER,
    COMMUNITY_ROWS,
    HOUSEHOLD_HEADER,
    HOUSEHOLD_ROWS,
    write_csv,
    write_minimal_landing,
)


def published(paths, sql: str):
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_hand_written_exports_are_counted_exactly(tmp_path):
    write_minimal_landing(tmp_path / "landing")
    result = run_ok(tmp_path, "run")
    assert "Files: 3 accepted, 0 quarantined, 0 duplicates" in result.stdout
    # dbt's invocation folders live in the home, are pruned after the build (never the one just
    # written), and the partial-parse state is kept for the next run.
    invocations = _invocations(tmp_path)
    assert 0 < len(invocations) <= KEEP_INVOCATIONS
    assert (invocations[-1] / "run_results.json").exists()
    assert (Paths(tmp_path).dbt_target / PARTIAL_PARSE).exists()
    # The complete build records the code it was built with: the next run builds incrementally.
    assert (Paths(tmp_path).dbt_target / BUILT_WITH).read_text() == code_fingerprint()
    assert not needs_full_refresh(Paths(tmp_path).dbt_target)
    rows = published(
        type("P", (), {"published_db": tmp_path / "warehouse" / "anju.duckdb"}),
        "SELECT estate_name, residents_on_roll, households_on_roll, dwellings, dwellings_allocated "
        "FROM marts.estate_summary ORDER BY estate_code",
    )
    # 李娜's 15-digit ID converts; 王芳 has moved out (迁出); 康居苑 is an alias of 安康新村;
    # 幸福家园（一期） is the same estate as 幸福家园一期.
    assert rows == [
        ("幸福家园一期", 2, 1, 2, 2),
        ("和谐苑", 0, 0, 1, 0),
        ("安康新村", 1, 1, 1, 1),
    ]


def _invocations(home):
    target = Paths(home).dbt_target
    return sorted((p for p in target.iterdir() if INVOCATION_DIR.match(p.name)), key=lambda p: p.stat().st_mtime)


def test_dbt_keeps_only_its_newest_invocation_folders(tmp_path):
    target = tmp_path / "target"
    for i in range(KEEP_INVOCATIONS + 5):
        folder = target / f"warehouse_models-abcdef{i % 10}-{i:07x}"
        folder.mkdir(parents=True)
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_700_000_000 + i, 1_700_000_000 + i))
    (target / "compiled").mkdir()
    (target / "manifest.json").write_text("{}")
    removed = prune_invocations(target)
    assert sorted(p.name for p in removed) == [f"warehouse_models-abcdef{i}-{i:07x}" for i in range(5)]
    assert len(list(target.iterdir())) == KEEP_INVOCATIONS + 2  # the newest, compiled/ and the manifest stay


def test_incremental_models_are_rebuilt_when_the_dbt_code_changes(tmp_path):
    assert needs_full_refresh(tmp_path), "no complete build recorded"
    record_complete_build(tmp_path)
    assert not needs_full_refresh(tmp_path)
    (tmp_path / BUILT_WITH).write_text("0" * 64)  # as if built by other code
    assert needs_full_refresh(tmp_path)
    assert len(code_fingerprint()) == 64 and code_fingerprint() == code_fingerprint()


def test_file_missing_a_required_column_is_quarantined_and_the_rest_load(tmp_path):
    write_minimal_landing(tmp_path / "landing")
    without_id = [h for h in HOUSEHOLD_HEADER if h != "身份证号码"]
    rows = [[v for h, v in zip(HOUSEHOLD_HEADER, r) if h != "身份证号码"] for r in HOUSEHOLD_ROWS]
    write_csv(tmp_path / "landing" / "household" / "汉水区花名册.csv", without_id, rows)

    result = run_ok(tmp_path, "run")

    assert "QUARANTINED  household/汉水区花名册.csv: required column missing: 身份证号码" in result.stdout
    assert "Files: 3 accepted, 1 quarantined" in result.stdout
    with duckdb.connect(str(tmp_path / "work" / "anju_work.duckdb"), read_only=True) as con:
        status = dict(con.execute("SELECT file_name, status FROM quality.files").fetchall())
        archived = con.execute("SELECT archive_path FROM quality.files WHERE status = 'quarantined'").fetchone()[0]
    assert status["汉水区花名册.csv"] == "quarantined"
    assert sum(s == "loaded" for s in status.values()) == 3
    assert (tmp_path / "warehouse" / "anju.duckdb").exists()
    assert (tmp_path / "archive" / archived).exists()  # nothing is lost: the bytes are archived


def test_small_sample_run_matches_truth(published_warehouse):
    """Every file the generator meant to load is loaded with exactly its non-rejected rows."""
    truth = published_warehouse.home / "truth"
    files = pd.read_csv(truth / "files.csv")
    rows = pd.read_parquet(truth / "rows.parquet", columns=["file", "outcome"])
    expected_rows = rows[~rows.outcome.isin(["reject", "dedupe"])].groupby("file").size()
    with duckdb.connect(str(published_warehouse.work_db), read_only=True) as con:
        got = con.execute(
            "SELECT a.source || '/' || a.file_name, f.status, f.rows_loaded, f.reason, a.outcome "
            "FROM quality.arrivals a JOIN quality.files f USING (file_sha)"
        ).df().set_axis(["file", "status", "rows_loaded", "reason", "arrival"], axis=1).set_index("file")

    for file in files.itertuples():
        outcome = got.loc[file.file]
        if file.expected == "duplicate":
            assert outcome.arrival == "duplicate", file.file
        elif file.data_rows == 0:
            # EXPORTS.md: a header-only file is quarantined, and never replaces a snapshot.
            assert outcome.status == "quarantined" and outcome.reason.startswith("header only"), file.file
        else:
            assert outcome.status == "loaded", f"{file.file}: {outcome.reason}"
            assert outcome.rows_loaded == expected_rows.get(file.file, 0), file.file

    estates = pd.read_parquet(truth / "world" / "estates.parquet")
    summary = published(published_warehouse, "SELECT estate_code FROM marts.estate_summary")
    assert {code for (code,) in summary} == set(estates.estate_code)


def _table_rows(con, catalog: str, table: str, leave_out: tuple[str, ...] = ()) -> list[tuple]:
    """A table's rows in a stable order, doubles to 9 decimals."""
    columns = [f'round("{name}", 9)' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
               for name, kind in con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                                             "WHERE database_name = ? AND schema_name || '.' || table_name = ?",
                                             [catalog, table]).fetchall() if name not in leave_out]
    return con.execute(f"SELECT {', '.join(columns)} FROM {catalog}.{table} ORDER BY ALL").fetchall()


def test_the_same_exports_in_another_home_publish_the_same_warehouse_and_extracts(published_warehouse, tmp_path):
    """The same files, arriving in the same order (their mtimes), and the same pseudonym key: the
    marts leadership sees, the district extracts and the resident links come out the same."""
    first, again = published_warehouse, Paths(tmp_path)
    for folder in ("landing", "secrets"):
        shutil.copytree(first.home / folder, again.home / folder)  # copy2 keeps the mtimes
    run_ok(again.home, "run")

    con = duckdb.connect()
    for name, paths in (("first", first), ("again", again)):
        con.execute(f"ATTACH '{paths.published_db}' AS {name}_pub (READ_ONLY)")
        con.execute(f"ATTACH '{paths.work_db}' AS {name}_work (READ_ONLY)")
    marts = [f"marts.{t}" for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'first_pub' AND table_name != 'publication'"
    ).fetchall()]
    assert len(marts) > 15
    for table in marts:
        assert _table_rows(con, "again_pub", table) == _table_rows(con, "first_pub", table), table
    # Two trainings on one state give Splink models that differ in the last bits (probabilities
    # 3e-13 apart at city scale).
    scores = ("match_probability", "match_weight")
    for table in ("identity.resident_links", "identity.review_pairs"):
        assert _table_rows(con, "again_work", table, scores) == _table_rows(con, "first_work", table, scores), table
        [worst] = con.execute(
            f"SELECT coalesce(max(abs(f.match_probability - a.match_probability)), 0) FROM first_work.{table} f "
            f"JOIN again_work.{table} a USING (source_kind, file_sha, row_number, resident_key)").fetchone()
        assert worst < 1e-9, table

    def extracts(paths: Paths) -> dict[str, bytes]:
        """Each CSV's bytes, and each workbook's parts but the one stamped with the time it was written."""
        [snapshot] = [d for d in paths.extracts.iterdir() if d.is_dir()]
        files = {str(f.relative_to(snapshot)): f.read_bytes() for f in snapshot.rglob("*.csv")}
        for workbook in snapshot.rglob("*.xlsx"):
            with zipfile.ZipFile(workbook) as parts:
                files |= {f"{workbook.relative_to(snapshot)}:{part}": parts.read(part)
                          for part in parts.namelist() if part != "docProps/core.xml"}
        return files

    first_files, again_files = extracts(first), extracts(again)
    assert sum(name.endswith(".csv") for name in first_files) >= 10 and again_files == first_files


def test_failed_build_exits_non_zero_and_keeps_the_published_warehouse(tmp_path):
    write_minimal_landing(tmp_path / "landing")
    run_ok(tmp_path, "run")
    published_db = tmp_path / "warehouse" / "anju.duckdb"
    before = published_db.read_bytes()
    # A newer register gives one 小区编码 to two estates: dbt's unique test (severity error) fails.
    ambiguous = COMMUNITY_ROWS + [["420102001001", "另一个小区"] + COMMUNITY_ROWS[0][2:]]
    write_csv(tmp_path / "landing" / "unit" / "安置小区名录20261130.csv", COMMUNITY_HEADER, ambiguous)

    result = run_anju(tmp_path, "run")

    assert result.returncode != 0
    assert "unique_stg_community_register_estate_code" in result.stdout + result.stderr
    assert "the published warehouse was left as it was" in result.stderr
    assert published_db.read_bytes() == before
    # The second run of a home starts from the first one's partial-parse state instead of parsing
    # the whole project again.
    first, second = (folder / "dbt.log" for folder in _invocations(tmp_path))
    assert "Unable to do partial parsing" in first.read_text()
    assert "Unable to do partial parsing" not in second.read_text()


def test_rejects_match_the_injected_faults(published_warehouse):
    """Scored against the generator's truth: every faulty row is rejected, no clean row is."""
    truth = pd.read_parquet(published_warehouse.home / "truth" / "rows.parquet", columns=["file", "row", "outcome", "mess"])
    with duckdb.connect(str(published_warehouse.work_db), read_only=True) as con:
        rejected = con.execute(
            "SELECT DISTINCT a.source || '/' || a.file_name AS file, r.row_number AS row, r.rule "
            "FROM quality.rejects r JOIN quality.arrivals a USING (file_sha) WHERE a.outcome = 'new'"
        ).df()
    should = truth[truth.outcome.isin(["reject", "dedupe"])][["file", "row"]].drop_duplicates()
    got = rejected[["file", "row"]].drop_duplicates()
    hits = got.merge(should, on=["file", "row"])
    precision, recall = len(hits) / max(len(got), 1), len(hits) / max(len(should), 1)
    print(f"\nrejects: {len(got)} rows rejected, {len(should)} faulty rows injected; precision {precision:.4f}, recall {recall:.4f}")
    wrongly = rejected.merge(truth, on=["file", "row"]).query("outcome not in ('reject', 'dedupe')")
    assert wrongly.empty, f"clean rows rejected:\n{wrongly.head(20).to_string()}"
    missed = should.merge(got, on=["file", "row"], how="left", indicator=True).query("_merge == 'left_only'")
    assert missed.empty, f"faulty rows loaded:\n{missed.merge(truth, on=['file', 'row']).head(20).to_string()}"
