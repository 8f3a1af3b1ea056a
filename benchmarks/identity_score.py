"""Identity across departments against the generator's truth: a benchmark, so it lives here and not in
the pipeline, which never reads truth.

    python -m benchmarks.identity_score --home DIR [--truth TRUTH]

DIR is an ANJU_HOME holding a built `work/anju_work.duckdb` (ingest + dbt, and `python -m
pipelines.identity.residents --home DIR` for residents); TRUTH is sample_data's ground truth
(default DIR/truth; a bench home's is `<bench home>/sample/truth`, beside `<bench home>/pipeline`).

Every loaded raw row is traced to its truth row through quality.files (source/file name) and its
row number. Per row:
- estates: the estate the pipeline assigns (dbt's rule: name/曾用名 key, else longest suffix; 12345
  by the name inside 事发地址, as int_work_order assigned it) vs truth `estate_code`;
- dwellings: the dwelling key `estate_code-building-entrance-room` vs the truth `dwelling_id`'s key
  built from truth/world/dwellings.parquet;
- residents: the resident a person record is linked to (identity.resident_links; a roster resident
  is its own key) vs truth `person_id` (owners of 安置房源台账: the person holding the row's true
  产权人身份证号码). A resident key's person is the majority truth person of its roster rows.

precision = correct / assigned, recall = correct / rows that have a truth value (loaded rows only;
rows the ingest rejected are reported separately, they are not an identity failure).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from pipelines.identity.residents import estate_assignment_sql

_TRUTH_KIND = {
    "household_roster": "roster", "dwelling_register": "units", "facility_register": "facilities",
    "nearby_service": "services", "fund_deposit": "deposits", "property_fee": "fees",
    "fund_expenditure": "fund_usage", "work_order": "complaints", "repair_order": "repairs",
    "satisfaction_survey": "surveys", "participation": "participation",
}
# raw table → SQL expression of its dwelling (building-entrance-room) parts
_DWELLING = {
    "household_roster": "dwelling_building || '-' || dwelling_entrance || '-' || dwelling_room",
    "dwelling_register": "building || '-' || entrance || '-' || room",
    "property_fee": "dwelling_building || '-' || dwelling_entrance || '-' || dwelling_room",
    "fund_deposit": "location_building || '-' || location_entrance || '-' || location_room",
}
_PERSON_SOURCES = {"participation": "participation", "satisfaction_survey": "surveys",
                   "dwelling_register": "units"}


def _pr(con, sql: str) -> tuple[int, int, int, int]:
    """(rows with truth, assigned, correct, wrong) from a query of (truth, predicted)."""
    return con.execute(f"""
        select count(*) filter (where truth is not null),
               count(*) filter (where predicted is not null),
               count(*) filter (where predicted = truth),
               count(*) filter (where predicted is not null and predicted is distinct from truth)
        from ({sql})""").fetchone()


def _line(label: str, n_truth: int, n_pred: int, correct: int, wrong: int) -> str:
    p = correct / n_pred if n_pred else float("nan")
    r = correct / n_truth if n_truth else float("nan")
    return (f"  {label:<28} precision {p:.4f}  recall {r:.4f}   "
            f"(truth {n_truth}, assigned {n_pred}, correct {correct}, wrong {wrong})")


def score(home: Path, truth: Path | None = None) -> dict[str, tuple[float, float]]:
    truth = truth or home / "truth"
    con = duckdb.connect()
    con.execute(f"attach '{home / 'work' / 'anju_work.duckdb'}' as w (read_only)")
    con.execute("use w")
    con.execute(f"create temp table truth_rows as select * from read_parquet('{truth / 'rows.parquet'}')")
    con.execute(f"""create temp table truth_dwellings as
        select dwelling_id, estate_code || '-' || building || '-' || entrance || '-' || room as dwelling_key
        from read_parquet('{truth / 'world' / 'dwellings.parquet'}')""")
    con.execute(f"create temp table persons as select person_id, id_number from read_parquet('{truth / 'world' / 'persons.parquet'}')")
    con.execute("""create temp table file_map as
        select file_sha, source || '/' || file_name as file from quality.files where file_sha is not null""")

    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
    results: dict[str, tuple[float, float]] = {}
    totals: dict[str, list[int]] = {"estates": [0, 0, 0, 0], "dwellings": [0, 0, 0, 0], "residents": [0, 0, 0, 0]}

    def add(metric, vals):
        for i, v in enumerate(vals):
            totals[metric][i] += v

    # rows of each raw table joined to their truth row
    for table, tkind in _TRUTH_KIND.items():
        if table not in tables:
            continue
        con.execute(f"""create or replace temp table j_{table} as
            select r.*, t.estate_code as t_estate, t.dwelling_id as t_dwelling, t.person_id as t_person
            from raw.{table} r join file_map f on f.file_sha = r._file_sha
            join truth_rows t on t.file = f.file and t.row = r._row_number and t.kind = '{tkind}'""")

    print(f"Identity benchmark for {home}")
    print("Estates (rows → 小区编码):")
    for table in _TRUTH_KIND:
        if table not in tables:
            continue
        if table == "work_order":
            pred = ("left join (select distinct address, estate_code from intermediate.int_work_order "
                    "where estate_code is not null) a on a.address = j.address")
        else:
            pred = (f"left join ({estate_assignment_sql(f'select estate_name_key as name_key from raw.{table}')}) a "
                    f"on a.name_key = j.estate_name_key")
        vals = _pr(con, f"select j.t_estate as truth, a.estate_code as predicted from j_{table} j {pred}")
        add("estates", vals)
        print(_line(table, *vals))
    print(_line("ALL", *totals["estates"]))

    print("Dwellings (rows → estate-building-entrance-room):")
    for table, parts in _DWELLING.items():
        if table not in tables:
            continue
        assign = estate_assignment_sql(f"select estate_name_key as name_key from raw.{table}")
        vals = _pr(con, f"""
            select td.dwelling_key as truth, a.estate_code || '-' || ({parts}) as predicted
            from j_{table} j left join ({assign}) a on a.name_key = j.estate_name_key
            left join truth_dwellings td on td.dwelling_id = j.t_dwelling and j.t_dwelling >= 0""")
        add("dwellings", vals)
        print(_line(table, *vals))
    print(_line("ALL", *totals["dwellings"]))

    print("Residents (person records → resident):")
    has_links = con.execute("select count(*) from information_schema.tables "
                            "where table_schema = 'identity' and table_name = 'resident_links'").fetchone()[0]
    # a resident key's person: majority truth person of its roster rows
    con.execute("""create temp table key_person as
        select resident_id_key as resident_key, mode(t_person) as person_id
        from j_household_roster where resident_id_key is not null and t_person >= 0 group by 1""")
    vals = _pr(con, """select nullif(j.t_person, -1) as truth, k.person_id as predicted
                       from j_household_roster j left join key_person k on k.resident_key = j.resident_id_key""")
    add("residents", vals)
    print(_line("household_roster (ID)", *vals))
    if not has_links:
        print("  identity.resident_links missing: run python -m pipelines.identity.residents --home DIR")
    else:
        # owners: the person holding the row's true 产权人身份证号码 (mess.parquet's clean value, else as loaded)
        con.execute(f"""create temp table owner_truth as
            select j._file_sha, j._row_number,
                   p.person_id
            from j_dwelling_register j
            join file_map f on f.file_sha = j._file_sha
            left join (select file, "row", "clean" from read_parquet('{truth / 'mess.parquet'}')
                       where kind = 'units' and "column" = '产权人身份证号码') m
              on m.file = f.file and m."row" = j._row_number
            join persons p on p.id_number = upper(coalesce(nullif(m."clean", ''), j.owner_id))""")
        for table, _ in _PERSON_SOURCES.items():
            if table not in tables:
                continue
            truth_sql = ("(select person_id from owner_truth o where o._file_sha = j._file_sha "
                         "and o._row_number = j._row_number)" if table == "dwelling_register"
                         else "nullif(j.t_person, -1)")
            for method_label, method_filter in (("", ""), (" splink only", "and l.link_method = 'splink'")):
                sql = f"""
                    select {truth_sql} as truth, k.person_id as predicted
                    from j_{table} j
                    left join identity.resident_links l on l.source_kind = '{table}'
                         and l.file_sha = j._file_sha and l.row_number = j._row_number {method_filter}
                    left join key_person k on k.resident_key = l.resident_key"""
                if method_label:
                    sql = f"""
                        select {truth_sql} as truth, k.person_id as predicted
                        from j_{table} j
                        join identity.resident_links l on l.source_kind = '{table}'
                             and l.file_sha = j._file_sha and l.row_number = j._row_number {method_filter}
                        left join key_person k on k.resident_key = l.resident_key"""
                vals = _pr(con, sql)
                if not method_label:
                    add("residents", vals)
                print(_line(table + method_label, *vals))
    print(_line("ALL", *totals["residents"]))

    rejected = con.execute("""
        select count(*) from truth_rows t
        where not exists (select 1 from file_map f where f.file = t.file)""").fetchone()[0]
    print(f"(truth rows of files not loaded — quarantined, duplicate deliveries: {rejected}; "
          f"rows rejected inside loaded files are not counted above)")
    for metric, (n_truth, n_pred, correct, _wrong) in totals.items():
        results[metric] = (correct / n_pred if n_pred else float("nan"), correct / n_truth if n_truth else float("nan"))
    print("SUMMARY " + "  ".join(f"{m}: P={p:.4f} R={r:.4f}" for m, (p, r) in results.items()))
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Precision/recall of estates, dwellings, residents vs truth.")
    ap.add_argument("--home", required=True, help="ANJU_HOME with a built work database")
    ap.add_argument("--truth", help="the sample's truth/ folder (default: HOME/truth)")
    args = ap.parse_args(argv)
    score(Path(args.home).resolve(), Path(args.truth).resolve() if args.truth else None)


if __name__ == "__main__":
    main()
