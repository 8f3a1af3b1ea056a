"""De-identified extracts for district staff: per district, CSV (UTF-8 with BOM) and XLSX.

    from pipelines.extracts import write_district_extracts
    manifest = write_district_extracts(paths().published_db, out_dir)

Five extracts per district (房屋清单, 住户清单, 物业费欠费, 未办结投诉, 办证积压), Chinese headers, read
from the published warehouse only. The same SELECTs back the Superset datasets that district
users download from (dashboards/build_bundle.py reads `dataset_sql`), so a file and a download of
the same district hold the same rows.

De-identification, in SQL, and checked again before anything is written:
- names as `张*` (first character and one star), phones as `138****5678`, no ID numbers;
- every text cell that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`,
  tab or carriage return) gets a leading `'`;
- a last scan of every cell of every district, in DuckDB, refuses to write any file when a cell
  holds an 18-digit ID number or an 11-digit mobile number in clear (ExtractLeak), so a mart that
  stops masking fails the run instead of leaking.

Column names of the marts live in EXTRACTS below and nowhere else: adjust them there.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import rustpy_xlsxwriter

# 18-digit resident ID (last character may be X) and mainland mobile numbers, not inside longer
# digit runs; in Python and in DuckDB's RE2, which has no look-behind. Used by the tests too.
ID_NUMBER_RE = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ID_NUMBER_SQL = r"(^|[^0-9])[1-9][0-9]{16}[0-9Xx]([^0-9]|$)"
MOBILE_SQL = r"(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)"


class ExtractLeak(RuntimeError):
    """A cell would have carried an ID number or a phone number in clear."""


@dataclass(frozen=True)
class Column:
    alias: str  # technical name in the Superset dataset (and in the SELECT)
    header: str  # Chinese header of the file and verbose name in Superset
    expr: str  # SQL over the extract's FROM
    kind: str = "text"  # text | name | phone | number | date


@dataclass(frozen=True)
class Extract:
    key: str  # Superset dataset name suffix: extract_<key>
    title: str  # file name stem and chart title
    from_sql: str  # FROM (subquery over marts.*) x, exposing district_code
    columns: tuple[Column, ...]
    order_by: str


def _c(alias: str, header: str, expr: str | None = None, kind: str = "text") -> Column:
    return Column(alias, header, expr or alias, kind)


# as_of of the current publication: the extract's reference date (arrears, waiting days).
_AS_OF = "(SELECT max(as_of) FROM marts.publication)"
# Names of places: the dims and facts carry codes only.
_ESTATES = "marts.dim_estate"
_DISTRICT_NAMES = "(SELECT district_code, any_value(district_name) AS district_name FROM marts.dim_estate GROUP BY 1)"
# The head of each household, masked by the mart already (`张*`; masked again below).
_HEADS = """(SELECT household_no, min(masked_name) AS head_name FROM marts.dim_resident
             WHERE relation = '户主' GROUP BY household_no)"""
# 房号 as 栋-单元-室 (the register's 房源编号 is unit_no).
_ROOM = "concat_ws('-', d.building, d.entrance, d.room) AS room_no"
_PLACE = (
    _c("district_name", "区县"),
    _c("street_name", "街道"),
    _c("estate_name", "小区"),
)

EXTRACTS: tuple[Extract, ...] = (
    Extract(
        key="dwellings",
        title="房屋清单",
        from_sql=f"""FROM (
            SELECT d.*, e.district_name, e.street_name, e.estate_name
            FROM marts.dim_dwelling d LEFT JOIN {_ESTATES} e ON e.estate_code = d.estate_code) x""",
        columns=(
            *_PLACE,
            _c("unit_no", "房源编号"),
            _c("building", "楼栋"),
            _c("entrance", "单元"),
            _c("room", "房号"),
            _c("floor_area", "建筑面积（㎡）", kind="number"),
            _c("layout", "户型"),
            _c("allocation_status", "分配状态"),
            _c("delivery_date", "交付日期", kind="date"),
            _c("registration_date", "登记申请日期", kind="date"),
            _c("certificate_date", "办证日期", kind="date"),
            _c("resale_eligible_date", "可上市交易日期", kind="date"),
            _c("title_problem", "产权问题"),
        ),
        order_by="estate_name, building, entrance, room",
    ),
    Extract(
        key="households",
        title="住户清单",
        from_sql=f"""FROM (
            SELECT h.*, e.district_name, e.street_name, e.estate_name, d.unit_no, {_ROOM}, hd.head_name
            FROM marts.dim_household h
            LEFT JOIN {_ESTATES} e ON e.estate_code = h.estate_code
            LEFT JOIN marts.dim_dwelling d ON d.dwelling_key = h.dwelling_key
            LEFT JOIN {_HEADS} hd ON hd.household_no = h.household_no) x""",
        columns=(
            *_PLACE,
            _c("room_no", "房号（栋-单元-室）"),
            _c("unit_no", "房源编号"),
            _c("household_no", "户编号"),
            _c("head_name", "户主", kind="name"),
            _c("members", "家庭人数", kind="number"),
            _c("members_on_roll", "在册人数", kind="number"),
            _c("has_dibao", "含低保成员", "CASE WHEN has_dibao_member THEN '是' ELSE '否' END"),
        ),
        order_by="estate_name, unit_no, household_no",
    ),
    Extract(
        key="fee_arrears",
        title="物业费欠费",
        # Per dwelling: what is owed (应收 − 减免 − 实收) over the billing months up to as_of.
        from_sql=f"""FROM (
            SELECT a.*, e.district_name, e.street_name, e.estate_name, d.unit_no, {_ROOM}, hd.head_name
            FROM (
                SELECT f.district_code, f.estate_code, f.dwelling_key,
                       count(*) FILTER (WHERE f.amount_net_due - coalesce(f.amount_received, 0) > 0) AS months_owed,
                       sum(f.amount_net_due - coalesce(f.amount_received, 0)) AS amount_owed,
                       min(f.billing_month) FILTER (WHERE f.amount_net_due - coalesce(f.amount_received, 0) > 0) AS first_month_owed
                FROM marts.fct_property_fee f
                WHERE f.billing_month <= {_AS_OF}
                GROUP BY ALL
            ) a
            LEFT JOIN {_ESTATES} e ON e.estate_code = a.estate_code
            LEFT JOIN marts.dim_dwelling d ON d.dwelling_key = a.dwelling_key
            LEFT JOIN (SELECT dwelling_key, min(household_no) AS household_no FROM marts.dim_household GROUP BY 1) h
                   ON h.dwelling_key = a.dwelling_key
            LEFT JOIN {_HEADS} hd ON hd.household_no = h.household_no
            WHERE a.amount_owed > 0) x""",
        columns=(
            *_PLACE,
            _c("room_no", "房号（栋-单元-室）"),
            _c("unit_no", "房源编号"),
            _c("head_name", "户主", kind="name"),
            _c("months_owed", "欠费月数", kind="number"),
            _c("amount_owed", "欠费金额（元）", "round(amount_owed, 2)", kind="number"),
            _c("first_month_owed", "最早欠费月份", "strftime(first_month_owed, '%Y-%m')"),
        ),
        order_by="estate_name, amount_owed DESC, unit_no",
    ),
    Extract(
        key="open_complaints",
        title="未办结投诉",
        # Not 已办结 and not 重复件 (a duplicate is handled under its original). Orders whose address
        # matched no estate stay in their 所属区县 with a blank 小区.
        from_sql=f"""FROM (
            SELECT c.*, dn.district_name, e.street_name, e.estate_name
            FROM marts.fct_complaint c
            LEFT JOIN {_ESTATES} e ON e.estate_code = c.estate_code
            LEFT JOIN {_DISTRICT_NAMES} dn ON dn.district_code = c.district_code
            WHERE c.status NOT IN ('已办结', '重复件') AND c.district_code IS NOT NULL) x""",
        columns=(
            *_PLACE,
            _c("order_no", "工单编号"),
            _c("called_at", "来电时间", "strftime(called_at, '%Y-%m-%d %H:%M')"),
            _c("complaint_type", "诉求类型"),
            _c("complaint_subtype", "诉求子类"),
            _c("is_dispute", "是否矛盾纠纷", "CASE WHEN CAST(is_dispute AS VARCHAR) IN ('true', '是') THEN '是' ELSE '否' END"),
            _c("dispatched_at", "派单时间", "strftime(dispatched_at, '%Y-%m-%d %H:%M')"),
            _c("first_response_at", "首次响应时间", "strftime(first_response_at, '%Y-%m-%d %H:%M')"),
            _c("status", "工单状态"),
            _c("days_open", "已过天数", f"date_diff('day', CAST(called_at AS DATE), {_AS_OF})", kind="number"),
        ),
        order_by="called_at, order_no",
    ),
    Extract(
        key="certificate_backlog",
        title="办证积压",
        # INDICATORS.md: 已分配, delivered more than 90 days before month end, no 办证日期; the mart's
        # flag for the newest assessment month.
        from_sql=f"""FROM (
            SELECT r.*, e.district_name, e.street_name, e.estate_name, d.unit_no, {_ROOM}
            FROM marts.fct_property_registration r
            LEFT JOIN {_ESTATES} e ON e.estate_code = r.estate_code
            LEFT JOIN marts.dim_dwelling d ON d.dwelling_key = r.dwelling_key
            WHERE r.month = (SELECT max(month) FROM marts.fct_property_registration) AND r.in_certificate_backlog) x""",
        columns=(
            *_PLACE,
            _c("room_no", "房号（栋-单元-室）"),
            _c("unit_no", "房源编号"),
            _c("delivery_date", "交付日期", kind="date"),
            _c("days_waiting", "交付后天数", f"date_diff('day', delivery_date, {_AS_OF})", kind="number"),
            _c("registration_date", "登记申请日期", kind="date"),
            _c("title_problem", "产权问题"),
        ),
        order_by="delivery_date, estate_name, unit_no",
    ),
)


def _masked(column: Column) -> str:
    expr = column.expr
    if column.kind == "name":
        # 张三 / 张三丰 / 张** → 张*
        expr = f"CASE WHEN nullif(trim({expr}), '') IS NULL THEN NULL ELSE left(trim({expr}), 1) || '*' END"
    elif column.kind == "phone":
        # Keep the first three and last four digits; anything shorter than 7 characters is dropped.
        expr = (
            f"CASE WHEN length(trim({expr})) >= 7 "
            f"THEN left(trim({expr}), 3) || '****' || right(trim({expr}), 4) ELSE NULL END"
        )
    if column.kind in ("text", "name", "phone"):
        expr = (
            f"CASE WHEN left(CAST({expr} AS VARCHAR), 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
            f"THEN '''' || CAST({expr} AS VARCHAR) ELSE CAST({expr} AS VARCHAR) END"
        )
    return f"{expr} AS {column.alias}"


def dataset_sql(extract: Extract) -> str:
    """The SELECT of one extract over every district, with technical column names and
    district_code (for Superset's row-level security). Masked and neutralised already. Rows of
    no district (e.g. fees of an address that matched no estate) belong to no district's extract:
    data_quality counts them as unmatched."""
    select = ",\n       ".join(["district_code", *(_masked(c) for c in extract.columns)])
    # then every column, by position: rows alike in the extract's order keep one order run after run
    ties = ", ".join(str(i) for i in range(2, len(extract.columns) + 2))
    return f"SELECT {select}\n{extract.from_sql}\nWHERE district_code IS NOT NULL\nORDER BY {extract.order_by}, {ties}"


def find_leaks(value: Any) -> list[str]:
    """ID numbers and mobile numbers in clear inside one value (for scans of files and marts)."""
    if value is None or isinstance(value, (float, Decimal)):
        return []  # amounts, areas: not identifiers
    text = str(value)
    return ID_NUMBER_RE.findall(text) + MOBILE_RE.findall(text)


_NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


def _cells_sql(con: duckdb.DuckDBPyConnection, extract: Extract) -> str:
    """The SELECT of one extract's cells, every district's rows: dates as YYYY-MM-DD, times as
    YYYY-MM-DD HH:MM, decimals as doubles, the rest as text, in SQL, so that the files take the
    values as they are."""
    source = dataset_sql(extract)
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {source})").fetchall())
    cells = []
    for column in extract.columns:
        kind, sql_type, alias = column.kind, types[column.alias], column.alias
        if kind == "number" and sql_type.startswith(_NUMBER_TYPES):
            cells.append(f"CAST({alias} AS DOUBLE)" if sql_type.startswith("DECIMAL") else alias)
        elif sql_type == "DATE" or (kind == "date" and sql_type.startswith("TIMESTAMP")):
            cells.append(f"strftime(CAST({alias} AS DATE), '%Y-%m-%d')")
        elif sql_type.startswith("TIMESTAMP"):
            cells.append(f"strftime({alias}, '%Y-%m-%d %H:%M')")
        else:
            cells.append(f"CAST({alias} AS VARCHAR)")
    select = ", ".join(["district_code", *(f"{cell} AS {c.alias}" for cell, c in zip(cells, extract.columns))])
    return f"SELECT {select} FROM ({source})"


def _refuse_leaks(con: duckdb.DuckDBPyConnection, extract: Extract, cells: pa.Table) -> None:
    """Every district's text cells at once, in DuckDB: an ID or mobile number in clear stops the run."""
    texts = [c for c in extract.columns if pa.types.is_string(cells.schema.field(c.alias).type)]
    con.register("_extract_cells", cells)
    try:
        counts = con.execute(
            "SELECT " + ", ".join(f"count(*) FILTER (WHERE regexp_matches({c.alias}, $id) OR regexp_matches({c.alias}, $mobile))"
                                  for c in texts) + " FROM _extract_cells",
            {"id": ID_NUMBER_SQL, "mobile": MOBILE_SQL}).fetchone()
    finally:
        con.unregister("_extract_cells")
    for column, count in zip(texts, counts):
        if count:
            raise ExtractLeak(f"{extract.title}, column {column.header}: {count} values hold an ID or phone number in clear")


def _write_csv(path: Path, table: pa.Table) -> None:
    # utf-8-sig: the BOM makes Excel on Windows read the file as UTF-8 instead of GBK.
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.column_names)
        writer.writerows(zip(*(column.to_pylist() for column in table.columns)))


def _write_xlsx(path: Path, sheet: str, table: pa.Table) -> None:
    # Cells take the table's types: numbers from numeric columns, text (inline strings, never a
    # formula: a leading ' is kept as part of the text, matching the CSV) from the rest.
    sample = table.slice(0, 200).to_pydict()
    widths = [min(max(len(header) * 2, *(len(str(v)) * 1.2 for v in values if v is not None), 8), 50)
              for header, values in sample.items()]
    rustpy_xlsxwriter.write_worksheet(
        table, str(path), sheet_name=sheet[:31], freeze_row=1, autofilter=table.num_rows > 0, column_widths=widths,
        header_format=rustpy_xlsxwriter.Format().set_bold().set_background_color("#DDEBF7").set_border("thin"))


def _atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_DISTRICTS_SQL = """SELECT district_code, any_value(district_name) FROM marts.community_scorecard
                    WHERE district_code IS NOT NULL GROUP BY 1 ORDER BY 1"""


def districts(published_db: Path) -> list[tuple[str, str]]:
    """(code, name) of every district in the published scorecard."""
    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute(_DISTRICTS_SQL).fetchall()


def write_district_extracts(published_db: Path, out_dir: Path, workers: int | None = None) -> dict:
    """Write every extract of every district under out_dir/<district_code>/ and a manifest.json.

    Returns {"as_of": "YYYY-MM-DD", "snapshot_id": ..., "districts": {code: {"name": ...,
    "files": {title: {"csv": path, "xlsx": path, "rows": n}}}}}. Files are replaced atomically;
    out_dir is created if missing. Raises ExtractLeak, before any file is written, if any cell
    would carry an ID or phone number in clear. Each extract is queried once for every district;
    districts are written by `workers` threads (one per core by default): the XLSX writer works
    outside Python's lock.
    """
    published_db, out_dir = Path(published_db), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(published_db), read_only=True) as con:
        snapshot_id, as_of = con.execute("SELECT snapshot_id, as_of FROM marts.publication").fetchone()
        every_district = con.execute(_DISTRICTS_SQL).fetchall()
        tables = {}
        for extract in EXTRACTS:
            cells = con.execute(_cells_sql(con, extract)).to_arrow_table()
            _refuse_leaks(con, extract, cells)
            tables[extract.key] = cells
    workers = max(1, min(workers or os.cpu_count() or 1, len(every_district)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        files = {code: pool.submit(_write_district, out_dir / code, code, name, tables) for code, name in every_district}
        manifest = {"snapshot_id": str(snapshot_id), "as_of": str(as_of),
                    "districts": {code: {"name": name, "files": files[code].result()} for code, name in every_district}}
    _atomic(out_dir / "manifest.json", lambda p: p.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"))
    return manifest


def _write_district(folder: Path, code: str, name: str, tables: dict[str, pa.Table]) -> dict:
    """The CSV and XLSX files of every extract of one district (in a worker thread)."""
    folder.mkdir(exist_ok=True)
    files: dict[str, Any] = {}
    for extract in EXTRACTS:
        cells = tables[extract.key]
        table = (cells.filter(pc.equal(cells["district_code"], code)).drop_columns(["district_code"])
                 .rename_columns([c.header for c in extract.columns]))
        csv_path = folder / f"{code}{name}_{extract.title}.csv"
        xlsx_path = csv_path.with_suffix(".xlsx")
        _atomic(csv_path, lambda p: _write_csv(p, table))
        _atomic(xlsx_path, lambda p: _write_xlsx(p, extract.title, table))
        files[extract.title] = {"csv": str(csv_path), "xlsx": str(xlsx_path), "rows": table.num_rows}
    return files
