"""dbt's incremental models rebuild exactly what changed: after damage that stands for each reason
to rebuild (a new month, a month built from another file or load, a reloaded file, a changed
estate assignment), an incremental `dbt run` gives the same tables as the pipeline's full build;
a property-fee file seen for the first time rebuilds its own fee keys and no others, a name
assigned to another estate only the fee keys and snapshot rows holding it, and a month of
fct_property_registration whose input did not change is not built again."""

from __future__ import annotations

import os
import shutil
import subprocess

import duckdb

from pipelines.settings import DBT_PROJECT_DIR
from pipelines.warehouse.dbt import dbt_executable

INCREMENTAL = ("intermediate.int_roster_by_month", "intermediate.int_dwellings_by_month", "intermediate.int_property_fee",
               "marts.fct_property_registration")


def _dbt_run(work_db, target, *args) -> str:
    result = subprocess.run(
        [dbt_executable(), "run", "--select", *(t.split(".")[1] for t in INCREMENTAL), *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)],
        env={**os.environ, "ANJU_WORK_DB": str(work_db)}, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout


def _differences(con, table: str) -> int:
    mine, built = table, f"built.{table}"
    return con.execute(f"SELECT (SELECT count(*) FROM (FROM {mine} EXCEPT ALL FROM {built})) + "
                       f"(SELECT count(*) FROM (FROM {built} EXCEPT ALL FROM {mine}))").fetchone()[0]


def test_incremental_models_rebuild_what_changed_and_nothing_else(published_warehouse, tmp_path):
    work_db = tmp_path / "anju_work.duckdb"  # the same file name: the profile's catalog is anju_work
    shutil.copy(published_warehouse.work_db, work_db)
    with duckdb.connect(str(work_db)) as con:
        months = [m for (m,) in con.execute("SELECT DISTINCT month FROM intermediate.int_roster_by_month ORDER BY 1").fetchall()]
        fee_months = [m for (m,) in con.execute(
            "SELECT DISTINCT billing_month FROM intermediate.int_property_fee ORDER BY 1").fetchall()]
        assert len(months) >= 3 and len(fee_months) >= 3
        # a month not built yet; a month built from something else (another file or load) with wrong rows
        con.execute("DELETE FROM intermediate.int_roster_by_month WHERE month = ?", [months[-1]])
        con.execute("UPDATE intermediate.int_roster_by_month SET built_from = 'other', age = -1 WHERE month = ?", [months[0]])
        con.execute("DELETE FROM intermediate.int_dwellings_by_month WHERE month = ?", [months[1]])
        # a billing month missing; one whose winning load is gone; a file not seen by the last build
        con.execute("DELETE FROM intermediate.int_property_fee WHERE billing_month = ?", [fee_months[-1]])
        con.execute("UPDATE intermediate.int_property_fee SET version_load = 'gone', amount_due = -1 "
                    "WHERE billing_month = ?", [fee_months[0]])
        [(sha, months_of_file)] = con.execute(
            "SELECT _file_sha, count(DISTINCT billing_month) FROM intermediate.int_property_fee "
            "WHERE billing_month NOT IN (?, ?) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1", [fee_months[0], fee_months[-1]]).fetchall()
        con.execute("UPDATE intermediate.int_property_fee SET amount_received = -5 WHERE _file_sha = ?", [sha])
        con.execute("DELETE FROM intermediate.int_property_fee_loads WHERE starts_with(file_load, ?)", [sha])
        damaged = con.execute("SELECT count(*) FROM intermediate.int_property_fee WHERE amount_received = -5").fetchone()[0]
        assert damaged > 0 and months_of_file >= 1
        # A file first seen touches only its own fee keys: a key of the same billing months that the
        # file does not hold is left as it is (damaged here, so that rebuilding it would show).
        [(untouched,)] = con.execute(
            "SELECT min(fee_key) FROM intermediate.int_property_fee WHERE billing_month NOT IN ($1, $2) "
            "AND billing_month IN (SELECT billing_month FROM intermediate.int_property_fee_versions WHERE _file_sha = $3) "
            "AND fee_key NOT IN (SELECT fee_key FROM intermediate.int_property_fee_versions WHERE _file_sha = $3)",
            [fee_months[0], fee_months[-1], sha]).fetchall()
        assert untouched is not None
        con.execute("UPDATE intermediate.int_property_fee SET amount_due = -7 WHERE fee_key = ?", [untouched])
        # fct_property_registration: a month missing; a month whose input changed since its build;
        # a month whose input did not change is left as it is (damaged, so that rebuilding it would show).
        con.execute("DELETE FROM marts.fct_property_registration WHERE month = ?", [months[-1]])
        con.execute("UPDATE intermediate.fct_property_registration_inputs SET fingerprint = 0 WHERE month = ?", [months[0]])
        con.execute("UPDATE marts.fct_property_registration SET days_to_certificate = -1 WHERE month IN (?, ?)", [months[0], months[2]])

    _dbt_run(work_db, tmp_path / "target")

    with duckdb.connect(str(work_db)) as con:
        con.execute(f"ATTACH '{published_warehouse.work_db}' AS built (READ_ONLY)")
        # whole billing months only for the missing month and the gone load; the new file by its keys
        assert con.execute("SELECT billing_month FROM intermediate.int_property_fee_changes WHERE whole_month "
                           "ORDER BY 1").fetchall() == [(fee_months[0],), (fee_months[-1],)]
        assert con.execute("SELECT amount_due FROM intermediate.int_property_fee WHERE fee_key = ?", [untouched]).fetchone() == (-7,)
        con.execute("UPDATE intermediate.int_property_fee SET amount_due = (SELECT amount_due FROM "
                    "built.intermediate.int_property_fee b WHERE b.fee_key = ?) WHERE fee_key = ?", [untouched, untouched])
        assert con.execute("SELECT DISTINCT month FROM marts.fct_property_registration WHERE days_to_certificate = -1").fetchall() == [(months[2],)]
        con.execute("DELETE FROM marts.fct_property_registration WHERE month = ?", [months[2]])
        con.execute("INSERT INTO marts.fct_property_registration FROM built.marts.fct_property_registration WHERE month = ?", [months[2]])
        assert {t: _differences(con, t) for t in INCREMENTAL} == dict.fromkeys(INCREMENTAL, 0)
        # A name assigned to another estate since the last build: the fee keys it had and has are
        # chosen again, and no other key (one of the same estate and months is left damaged).
        [key] = con.execute("SELECT min(name_key) FROM intermediate.int_property_fee_assignment").fetchone()
        con.execute("UPDATE intermediate.int_property_fee_assignment SET estate_code = '000000000000' WHERE name_key = ?", [key])
        con.execute("UPDATE intermediate.int_property_fee SET amount_due = -1 WHERE fee_key IN "
                    "(SELECT fee_key FROM intermediate.int_property_fee_versions WHERE estate_name_key = ?)", [key])
        [(other_key,)] = con.execute(
            "SELECT min(fee_key) FROM intermediate.int_property_fee WHERE (estate_code, billing_month) IN "
            "(SELECT (estate_code, billing_month) FROM intermediate.int_property_fee_versions WHERE estate_name_key = $1) "
            "AND fee_key NOT IN (SELECT fee_key FROM intermediate.int_property_fee_versions WHERE estate_name_key = $1)",
            [key]).fetchall()
        assert other_key is not None
        con.execute("UPDATE intermediate.int_property_fee SET amount_due = -3 WHERE fee_key = ?", [other_key])
        # the key it had: a row as if it had won under its recorded estate, which no version holds now
        con.execute("INSERT INTO intermediate.int_property_fee SELECT * REPLACE ('000000000000' || "
                    "substr(fee_key, strpos(fee_key, '|')) AS fee_key) FROM intermediate.int_property_fee WHERE fee_key IN "
                    "(SELECT fee_key FROM intermediate.int_property_fee_versions WHERE estate_name_key = ?) LIMIT 1", [key])
        # In the month-by-snapshot models, the rows holding the name are built again, and no other row
        # of their months (one is left damaged).
        [key] = con.execute("SELECT min(name_key) FROM intermediate.int_roster_by_month_assignment").fetchone()
        con.execute("DELETE FROM intermediate.int_roster_by_month_assignment WHERE name_key = ?", [key])
        con.execute("UPDATE intermediate.int_roster_by_month SET age = -1 WHERE (split_part(built_from, '@', 1), resident_key) IN "
                    "(SELECT (_file_sha, resident_key) FROM staging.stg_household_roster_versions WHERE estate_name_key = ?)", [key])
        [(other_month, other_resident)] = con.execute(
            "SELECT month, resident_key FROM intermediate.int_roster_by_month WHERE age <> -1 AND month IN "
            "(SELECT month FROM intermediate.int_roster_by_month WHERE age = -1) ORDER BY month, resident_key LIMIT 1").fetchall()
        con.execute("UPDATE intermediate.int_roster_by_month SET age = -2 WHERE month = ? AND resident_key = ?", [other_month, other_resident])
        [key] = con.execute("SELECT min(name_key) FROM intermediate.int_dwellings_by_month_assignment").fetchone()
        con.execute("DELETE FROM intermediate.int_dwellings_by_month_assignment WHERE name_key = ?", [key])
        con.execute("UPDATE intermediate.int_dwellings_by_month SET floor_area = -1 WHERE (_file_sha, _row_number) IN "
                    "(SELECT (_file_sha, _row_number) FROM staging.stg_dwelling_register_versions WHERE estate_name_key = ?)", [key])
        for table, column in (("int_property_fee", "amount_due"), ("int_roster_by_month", "age"), ("int_dwellings_by_month", "floor_area")):
            assert con.execute(f"SELECT count(*) FROM intermediate.{table} WHERE {column} = -1").fetchone()[0] > 0

    _dbt_run(work_db, tmp_path / "target")

    with duckdb.connect(str(work_db)) as con:
        con.execute(f"ATTACH '{published_warehouse.work_db}' AS built (READ_ONLY)")
        assert con.execute("SELECT amount_due FROM intermediate.int_property_fee WHERE fee_key = ?", [other_key]).fetchone() == (-3,)
        con.execute("UPDATE intermediate.int_property_fee SET amount_due = (SELECT amount_due FROM "
                    "built.intermediate.int_property_fee b WHERE b.fee_key = ?) WHERE fee_key = ?", [other_key, other_key])
        assert con.execute("SELECT age FROM intermediate.int_roster_by_month WHERE month = ? AND resident_key = ?",
                           [other_month, other_resident]).fetchone() == (-2,)
        con.execute("UPDATE intermediate.int_roster_by_month SET age = (SELECT age FROM built.intermediate.int_roster_by_month b "
                    "WHERE b.month = $1 AND b.resident_key = $2) WHERE month = $1 AND resident_key = $2", [other_month, other_resident])
        assert {t: _differences(con, t) for t in INCREMENTAL} == dict.fromkeys(INCREMENTAL, 0)
