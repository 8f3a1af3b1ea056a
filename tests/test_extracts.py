"""De-identified district extracts (pipelines/extracts.py) and a scan of every published mart for
ID numbers and mobile numbers in clear."""

from __future__ import annotations

import csv
import re

import duckdb
import openpyxl
import pytest

from pipelines import extracts

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_masking_and_formula_neutralising_in_sql():
    """The SQL every extract (and every Superset download dataset) runs its values through."""
    name = extracts.Column("n", "姓名", "n", kind="name")
    phone = extracts.Column("p", "电话", "p", kind="phone")
    text = extracts.Column("t", "文本", "t")
    rows = [("张三丰", "13812345678", "=1+1"), ("李*", "138****5678", "+86"), ("王二", None, "-HYPERLINK()"),
            (None, "12", "@SUM(A1)"), ("欧阳娜娜", "138 1234 5678", "正常文本")]
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (n VARCHAR, p VARCHAR, t VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
        got = con.execute(f"SELECT {extracts._masked(name)}, {extracts._masked(phone)}, {extracts._masked(text)} FROM t").fetchall()
    assert got == [
        ("张*", "138****5678", "'=1+1"),
        ("李*", "138****5678", "'+86"),
        ("王*", None, "'-HYPERLINK()"),
        (None, None, "'@SUM(A1)"),
        ("欧*", "138****5678", "正常文本"),
    ]
    assert extracts.find_leaks("tel 13812345678") and extracts.find_leaks("42010219651026674X")
    assert not extracts.find_leaks("138****5678") and not extracts.find_leaks("H001001000000")


@pytest.fixture(scope="module")
def written(published_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("extracts")
    return extracts.write_district_extracts(published_warehouse.published_db, out)


def test_extracts_for_every_district(published_warehouse, written):
    districts = dict(extracts.districts(published_warehouse.published_db))
    assert set(written["districts"]) == set(districts) and len(districts) >= 2
    for code, district in written["districts"].items():
        assert district["name"] == districts[code]
        assert set(district["files"]) == {e.title for e in extracts.EXTRACTS}
        for extract in extracts.EXTRACTS:
            files = district["files"][extract.title]
            with open(files["csv"], "rb") as f:
                assert f.read(3) == b"\xef\xbb\xbf", f"{files['csv']}: no BOM"
            with open(files["csv"], encoding="utf-8-sig", newline="") as f:
                rows = list(csv.reader(f))
            header, body = rows[0], rows[1:]
            assert header == [c.header for c in extract.columns] and all(CJK.search(h) for h in header)
            assert len(body) == files["rows"]
            assert {r[0] for r in body} <= {district["name"]}, "another district's rows"
            for row in body:
                for column, cell in zip(extract.columns, row):
                    assert not extracts.find_leaks(cell), (files["csv"], column.header, cell)
                    assert not cell.startswith(("=", "+", "-", "@")), (files["csv"], column.header, cell)
                    if column.kind == "name" and cell:
                        assert re.fullmatch(r".\*", cell), cell
                    if column.kind == "phone" and cell:
                        assert re.fullmatch(r"\d{3}\*{4}\d{4}", cell), cell
            book = openpyxl.load_workbook(files["xlsx"])
            sheet = book.worksheets[0]
            assert sheet.title == extract.title and sheet.freeze_panes == "A2" and sheet["A1"].font.b
            xrows = list(sheet.iter_rows(values_only=True))
            assert list(xrows[0]) == header and len(xrows) - 1 == len(body)
            # The workbook holds the CSV's cells: numbers as numbers, the rest as the same text.
            for xrow, row in zip(xrows[1:], body):
                assert len(xrow) == len(row) and all(map(_same_cell, xrow, row)), (files["xlsx"], xrow, row)
    # The backlog and arrears extracts are not trivially empty for the whole city.
    assert sum(d["files"]["物业费欠费"]["rows"] for d in written["districts"].values()) > 0
    assert sum(d["files"]["房屋清单"]["rows"] for d in written["districts"].values()) > 0


def _same_cell(xlsx_value, csv_cell: str) -> bool:
    """A workbook cell holds the CSV's cell: the same number, the same text, or blank for empty."""
    if isinstance(xlsx_value, (int, float)):
        return csv_cell != "" and float(csv_cell) == xlsx_value
    return (xlsx_value or "") == csv_cell


def test_sql_and_python_leak_patterns_agree():
    values = ["tel 13812345678", "42010219651026674X", "13812345678", "138****5678", "H001001000000",
              "913812345678", "1381234567890", "x420102196510266743y", "4201021965102667431", "", "12345678901"]
    with duckdb.connect() as con:
        in_sql = [con.execute("SELECT regexp_matches($v, $id) OR regexp_matches($v, $mobile)",
                              {"v": v, "id": extracts.ID_NUMBER_SQL, "mobile": extracts.MOBILE_SQL}).fetchone()[0] for v in values]
    assert in_sql == [bool(extracts.find_leaks(v)) for v in values]
    assert sum(in_sql) == 4


def test_a_mart_that_stops_masking_fails_the_extracts_and_writes_nothing(published_warehouse, tmp_path):
    leaky = tmp_path / "anju.duckdb"
    leaky.write_bytes(published_warehouse.published_db.read_bytes())
    with duckdb.connect(str(leaky)) as con:
        con.execute("UPDATE marts.dim_estate SET estate_name = estate_name || ' 13812345678' "
                    "WHERE estate_code = (SELECT min(estate_code) FROM marts.dim_estate)")
    with pytest.raises(extracts.ExtractLeak, match="房屋清单, column 小区: [0-9]+ values hold"):
        extracts.write_district_extracts(leaky, tmp_path / "out")
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]


def test_no_mart_holds_id_numbers_or_mobile_numbers_in_clear(published_warehouse):
    """Every text-like column of every table in the published warehouse. Hash keys (`*_key`,
    `*_sha`) are pseudonyms of fixed shape, skipped: a hex digest may contain 11 digits by chance."""
    found = []
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema NOT IN ('information_schema', 'pg_catalog')"
        ).fetchall()
        assert len({t for _, t, _, _ in columns}) > 5
        for schema, table, column, data_type in columns:
            if column.endswith(("_key", "_sha")) or data_type.startswith(("DATE", "TIMESTAMP", "DOUBLE", "FLOAT", "DECIMAL", "BOOLEAN", "TIME", "INTERVAL")):
                continue
            value = f'CAST("{column}" AS VARCHAR)'
            [(ids, phones)] = con.execute(
                f'SELECT count(*) FILTER (WHERE regexp_matches({value}, ?)), count(*) FILTER (WHERE regexp_matches({value}, ?)) '
                f'FROM "{schema}"."{table}"',
                [extracts.ID_NUMBER_SQL, extracts.MOBILE_SQL],
            ).fetchall()
            if ids or phones:
                found.append((f"{schema}.{table}.{column}", ids, phones))
    assert found == []
