"""Ingest, file by file: every mess item and whole-file fault of EXPORTS.md, on files written here.

Each test runs the real loader: archive, reader, header recognition, normalisers, the Great
Expectations suite of the kind, and a real DuckDB work database.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from drills.xlsx_bytes import write_bomb
from pipelines.ingest import landing, loader, store
from pipelines.ingest.header import find_header
from pipelines.ingest.reader import read_sheets
from pipelines.settings import Paths
from tests.exports import COMMUNITY_HEADER, COMMUNITY_ROWS, DWELLING_HEADER, DWELLING_ROWS, write_csv, write_xlsx

VALID_ID = "11010519491231002X"
VALID_ID_2 = "420102198001011231"
LEGACY_15 = "130503670401001"
LEGACY_15_AS_18 = "130503196704010016"

WORK_ORDER_HEADER = ["工单编号", "来电时间", "所属区县", "事发地址", "诉求类型", "是否矛盾纠纷", "派单时间", "办结时间", "工单状态", "更新时间"]
DEPOSIT_HEADER = ["业务流水号", "小区名称", "房屋坐落", "应缴金额(元)", "实缴金额(元)", "缴存日期", "缴存类型", "备注"]


class Landing:
    """A work database and landing zone in tmp_path; `ingest` runs one file through the loader."""

    def __init__(self, root: Path):
        self.root = root
        self.con = store.connect(root / "work.duckdb")

    def path(self, source: str, name: str) -> Path:
        p = self.root / "landing" / source / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def ingest(self, path: Path, source: str | None = None) -> loader.FileOutcome:
        return loader.ingest_file(self.con, self.root / "archive", path, source or path.parent.name, "test-run")

    def rows(self, kind: str, columns: str) -> list[tuple]:
        return self.con.execute(f"SELECT {columns} FROM raw.{kind} ORDER BY _row_number").fetchall()

    def rejects(self) -> list[tuple]:
        return self.con.execute("SELECT row_number, column_name, rule FROM quality.rejects ORDER BY row_number, column_name").fetchall()

    def warnings(self) -> list[tuple]:
        return self.con.execute("SELECT row_number, column_name, warning FROM quality.warnings ORDER BY row_number").fetchall()


@pytest.fixture
def zone(tmp_path) -> Landing:
    return Landing(tmp_path)


def roster(rows: list[list[str]]) -> list[list[str]]:
    """Roster rows given as (户编号, 姓名, 身份证号码, 安置小区, 安置房号) plus optional extra cells."""
    return rows


ROSTER_HEADER = ["户编号", "姓名", "身份证号码", "安置小区", "安置房号", "出生日期", "联系电话", "安置类型"]


def assert_balanced(outcome: loader.FileOutcome) -> None:
    assert outcome.rows_read == outcome.rows_loaded + outcome.rows_rejected + outcome.rows_skipped


# ------------------------------------------------------------------ 1. encodings


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_every_allowed_encoding_reads_the_same(zone, encoding):
    path = write_csv(zone.path("unit", f"名录-{encoding}.csv"), COMMUNITY_HEADER, COMMUNITY_ROWS, encoding=encoding)
    outcome = zone.ingest(path)
    assert outcome.status == "loaded" and outcome.rows_loaded == 3
    assert zone.rows("community_register", "estate_name, aliases")[2] == ("安康新村", "康居苑;安康小区")  # NFKC: full-width punctuation to half-width


def _gbk_with_bad_bytes(rows: int, bad_rows: set[int]) -> bytes:
    lines = [",".join(ROSTER_HEADER).encode("gbk")]
    for i in range(rows):
        name = "张伟".encode("gbk") + (b"\x81\x20" if i in bad_rows else b"")  # 0x81 0x20 is no GBK character
        lines.append(b",".join([f"H{i}".encode(), name, VALID_ID.encode(), "和谐苑".encode("gbk"), b"1-1-101", b"", b"", b""]))
    return b"\r\n".join(lines) + b"\r\n"


def test_gbk_rows_with_undecodable_bytes_are_rejected(zone):
    path = zone.path("household", "花名册.csv")
    path.write_bytes(_gbk_with_bad_bytes(200, {5}))
    outcome = zone.ingest(path)
    assert outcome.status == "loaded" and outcome.rows_loaded == 199
    assert zone.rejects() == [(7, "", "undecodable bytes (encoding)")]
    assert_balanced(outcome)


def test_gbk_file_with_more_than_one_percent_undecodable_rows_is_quarantined(zone):
    path = zone.path("household", "花名册.csv")
    path.write_bytes(_gbk_with_bad_bytes(100, {1, 2}))
    outcome = zone.ingest(path)
    assert outcome.status == "quarantined"
    assert "2 of 100 rows hold undecodable bytes" in outcome.reason


# ------------------------------------------------------------------ 2, 8. text, IDs


def test_ids_are_normalised_or_rejected_with_their_reason(zone):
    rows = [
        ["H1", "甲", LEGACY_15],  # 15 → 18
        ["H2", "乙", VALID_ID.lower()],  # lower-case x
        ["H3", "丙", "１１０１０５１９４９１２３１００２Ｘ"],  # full-width
        ["H4", "丁", "'" + VALID_ID_2],  # Excel's apostrophe
        ["H5", "戊", VALID_ID_2[:-1] + "9"],  # wrong check character
        ["H6", "己", VALID_ID_2[:-2]],  # wrong length
        ["H7", "庚", "4.20102E+17"],  # stored as a number: unrecoverable
        ["H8", "辛", ""],  # blank, but required
    ]
    path = write_csv(zone.path("household", "花名册.csv"), ROSTER_HEADER, [r + ["和谐苑", "1-1-101", "", "", ""] for r in rows])
    outcome = zone.ingest(path)
    assert [r[0] for r in zone.rows("household_roster", "resident_id")] == [LEGACY_15_AS_18, VALID_ID, VALID_ID, VALID_ID_2]
    assert zone.rejects() == [
        (6, "身份证号码", "bad check character"),
        (7, "身份证号码", "wrong length"),
        (8, "身份证号码", "ID in scientific notation"),
        (9, "身份证号码", "required 身份证号码 is blank or invalid"),
    ]
    assert_balanced(outcome)
    keys = [r[0] for r in zone.rows("household_roster", "resident_id_key")]
    assert len(keys[0]) == 32 and keys[1] == keys[2]  # one person, one pseudonym


def test_full_width_and_non_breaking_spaces_are_normalised(zone):
    rows = [["H1", " 张\u00a0伟 ", VALID_ID, "和谐苑", "３栋２单元５０１", "", "１３８ １２３４ ５６７８", "棚改"]]
    zone.ingest(write_csv(zone.path("household", "花名册.csv"), ROSTER_HEADER, rows))
    assert zone.rows("household_roster", "name, dwelling_building, dwelling_entrance, dwelling_room, phone, resettlement_type") == [
        ("张 伟", "3", "2", "501", "13812345678", "城镇棚改")
    ]


# ------------------------------------------------------------------ 3, 4, 5. dates, amounts, areas


def test_dates_amounts_and_areas_in_every_written_form(zone):
    rows = [
        ["L1", "和谐苑", "和谐苑1栋1单元101室", "1,234.50", "1234.5元", "2023-05-06", "首期归集", ""],
        ["L2", "和谐苑", "和谐苑1-1-102", "￥1234.50", "", "2023/5/6", "首期", ""],
        ["L3", "和谐苑", "和谐苑1#1-103", "100", "100", "2023.5.6", "续筹", ""],
        ["L4", "和谐苑", "和谐苑1号楼1单元0104", "100", "100", "20230506", "续筹", ""],
        ["L5", "和谐苑", "和谐苑一号楼一单元105室", "100", "100", "2023年5月6日", "续筹", ""],
        ["L6", "和谐苑", "和谐苑1幢1单元106", "0", "-100.00", "2023-05-06 10:30", "续筹", "冲正 L5"],
    ]
    zone.ingest(write_csv(zone.path("fund", "缴存明细202305.csv"), DEPOSIT_HEADER, rows))
    got = zone.rows("fund_deposit", "serial_no, amount_due, amount_paid, paid_date, deposit_type, location_building, location_room")
    assert [(r[0], float(r[1]), None if r[2] is None else float(r[2]), str(r[3]), r[4], r[5], r[6]) for r in got] == [
        ("L1", 1234.5, 1234.5, "2023-05-06", "首期归集", "1", "101"),
        ("L2", 1234.5, None, "2023-05-06", "首期归集", "1", "102"),
        ("L3", 100.0, 100.0, "2023-05-06", "续筹", "1", "103"),
        ("L4", 100.0, 100.0, "2023-05-06", "续筹", "1", "104"),
        ("L5", 100.0, 100.0, "2023-05-06", "续筹", "1", "105"),
        ("L6", 0.0, -100.0, "2023-05-06", "续筹", "1", "106"),
    ]


def test_excel_serial_dates_and_formula_cells_load_their_values(zone):
    import xlsxwriter

    path = zone.path("unit", "名录.xlsx")
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, COMMUNITY_HEADER)
    sheet.write_row(1, 0, COMMUNITY_ROWS[0][:7])
    sheet.write_formula(1, 7, "=2000+12", None, 2012)  # a formula: its cached value loads
    sheet.write_number(1, 8, 45078)  # an Excel serial number for 2023-06-01
    book.close()
    outcome = zone.ingest(path)
    assert outcome.status == "loaded", outcome.reason
    assert zone.rows("community_register", "built_year, CAST(first_delivery_date AS VARCHAR)") == [(2012, "2023-06-01")]


def test_record_numbers_stored_as_long_numbers_are_rejected_not_merged(zone):
    """Three 16-digit 工单编号 stored as numbers all read as 2.02506010000012e+15: loaded, they would
    be one order. Fifteen digits survive a spreadsheet, and load as written."""
    import xlsxwriter

    path = zone.path("complaint", "12345工单_2025年6月.xlsx")
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, WORK_ORDER_HEADER)
    for i, number in enumerate([2025060100000123, 2025060100000124, 202506010000012], start=1):
        sheet.write_number(i, 0, number)
        sheet.write_row(i, 1, [f"2025-06-01 0{i}:00", "江城区", "和谐苑1栋", "物业服务", "否", "", "", "已受理", "2025-06-01 09:00"])
    book.close()
    outcome = zone.ingest(path)
    assert (outcome.rows_loaded, outcome.rows_rejected) == (1, 2)
    assert zone.rows("work_order", "order_no") == [("202506010000012",)]
    assert zone.rejects() == [
        (2, "工单编号", "number in scientific notation: its last digits are lost"),
        (3, "工单编号", "number in scientific notation: its last digits are lost"),
    ]


def test_a_formulas_cached_binary_residue_reads_as_the_amount_it_shows(zone):
    """0.3-0.2-0.1 is cached as -2.7755575615628914e-17: Excel shows 0.00, and so it loads."""
    import xlsxwriter

    path = zone.path("fund", "缴存明细202305.xlsx")
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, DEPOSIT_HEADER)
    sheet.write_row(1, 0, ["L1", "和谐苑", "和谐苑1-1-101", "100"])
    sheet.write_formula(1, 4, "=0.3-0.2-0.1", None, 0.3 - 0.2 - 0.1)
    sheet.write_row(1, 5, ["2023-05-06", "首期归集", ""])
    book.close()
    outcome = zone.ingest(path)
    assert (outcome.rows_loaded, zone.warnings()) == (1, [])
    assert [(r[0], float(r[1])) for r in zone.rows("fund_deposit", "serial_no, amount_paid")] == [("L1", 0.0)]


def test_a_formula_saved_as_an_error_is_read_as_its_error_not_as_blank(zone):
    """#DIV/0! in an optional amount: set to null with a warning, and kept in _source as written."""
    import xlsxwriter

    path = zone.path("fund", "缴存明细202305.xlsx")
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("明细")
    sheet.write_row(0, 0, DEPOSIT_HEADER)
    sheet.write_row(1, 0, ["L1", "和谐苑", "和谐苑1-1-101", "100"])
    sheet.write_formula(1, 4, "=1/0", None, "#DIV/0!")
    sheet.write_row(1, 5, ["2023-05-06", "首期归集", ""])
    book.close()
    outcome = zone.ingest(path)
    assert outcome.rows_loaded == 1
    assert zone.warnings() == [(2, "实缴金额(元)", "invalid value set to null: unparseable amount")]
    assert json.loads(zone.rows("fund_deposit", "_source")[0][0])["实缴金额(元)"] == "#DIV/0!"


def test_implausible_area_rejects_the_row(zone):
    rows = [["F1", "江城区", "幸福街道", "和谐苑", "1", "1", "101", area, "已分配", "", ""] for area in ("89.5㎡", "0", "2000平方米", "89.5平方米")]
    outcome = zone.ingest(write_csv(zone.path("unit", "房源.csv"), DWELLING_HEADER, rows))
    assert [r[0] for r in zone.rows("dwelling_register", "floor_area")] == [89.5, 89.5]
    assert [r[2] for r in zone.rejects()] == ["implausible area", "implausible area"]
    assert outcome.rows_rejected == 2


# ------------------------------------------------------------------ 9, 11, 12. phones, categories, impossible values


def test_phones_are_normalised_masked_kept_or_nulled_with_a_warning(zone):
    phones = ["138 1234 5678", "+86 13812345678", "027-8888 6666", "无", "138****5678", "12345"]
    rows = [[f"H{i}", "张三", VALID_ID, "和谐苑", "1-1-101", "", p, ""] for i, p in enumerate(phones)]
    outcome = zone.ingest(write_csv(zone.path("household", "花名册.csv"), ROSTER_HEADER, rows))
    assert [r[0] for r in zone.rows("household_roster", "phone")] == [
        "13812345678", "13812345678", "027-88886666", None, "138****5678", None
    ]
    assert outcome.rows_loaded == 6  # an invalid optional phone is nulled, not rejected
    assert zone.warnings()[-1] == (7, "联系电话", "invalid value set to null: invalid phone")


def test_work_order_closed_before_the_call_is_rejected_and_synonyms_normalised(zone):
    rows = [
        ["W1", "2025-06-01 09:00", "江城区", "和谐苑1栋", "邻里纠纷", "Y", "2025-06-01 10:00", "2025-06-02 09:00", "已办结 ", "2025-06-02 09:00"],
        ["W2", "2025-06-05 09:00", "江城区", "和谐苑2栋", "物业服务", "否", "", "2025-06-04 09:00", "已办结", "2025-06-05 09:00"],
    ]
    zone.ingest(write_csv(zone.path("complaint", "工单2025年6月.csv"), WORK_ORDER_HEADER, rows))
    assert zone.rows("work_order", "order_no, is_dispute, status") == [("W1", "是", "已办结")]
    assert zone.rejects() == [(3, "办结时间", "办结时间 before 来电时间")]


def test_a_location_whose_estate_name_ends_in_a_digit_is_split_at_its_estate_name(zone):
    rows = [["L1", "阳光100", "阳光100 3栋2单元501", "100", "100", "2023-05-06", "首期归集", ""],
            ["L2", "阳光100", "阳光1003栋2单元502", "100", "100", "2023-05-06", "首期归集", ""]]
    zone.ingest(write_csv(zone.path("fund", "缴存明细202305.csv"), DEPOSIT_HEADER, rows))
    assert zone.rows("fund_deposit", "location_estate, location_building, location_entrance, location_room") == [
        ("阳光100", "3", "2", "501"), ("阳光100", "3", "2", "502")]
    assert zone.rejects() == []


def test_paid_above_due_without_a_note_is_rejected(zone):
    rows = [
        ["L1", "和谐苑", "和谐苑1-1-101", "100", "150", "2023-05-06", "首期归集", ""],
        ["L2", "和谐苑", "和谐苑1-1-102", "100", "150", "2023-05-06", "首期归集", "政府代缴"],
    ]
    zone.ingest(write_csv(zone.path("fund", "缴存.csv"), DEPOSIT_HEADER, rows))
    assert zone.rows("fund_deposit", "serial_no") == [("L2",)]
    assert zone.rejects() == [(2, "应缴金额(元)", "实缴金额 above 应缴金额 without a 备注")]


def test_future_birth_date_beside_a_valid_id_is_taken_from_the_id(zone):
    rows = [["H1", "张伟", VALID_ID, "和谐苑", "1-1-101", "2099-01-01", "", ""]]
    outcome = zone.ingest(write_csv(zone.path("household", "花名册.csv"), ROSTER_HEADER, rows))
    assert outcome.rows_loaded == 1
    assert zone.rows("household_roster", "CAST(birth_date AS VARCHAR), sex") == [("1949-12-31", "女")]


def test_unknown_category_in_a_required_column_rejects(zone):
    rows = [["F1", "江城区", "幸福街道", "和谐苑", "1", "1", "101", "90", status, "", ""] for status in ("已分配", "未分配")]
    zone.ingest(write_csv(zone.path("unit", "房源.csv"), DWELLING_HEADER, rows))
    assert zone.rejects() == [(3, "分配状态", "unknown category '未分配'")]


# ------------------------------------------------------------------ 10. duplicates


def test_exact_duplicate_rows_are_rejected_naming_the_first(zone):
    rows = [COMMUNITY_ROWS[0], COMMUNITY_ROWS[1], COMMUNITY_ROWS[0]]
    outcome = zone.ingest(write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, rows))
    assert outcome.rows_loaded == 2
    assert zone.con.execute("SELECT row_number, rule, value FROM quality.rejects").fetchall() == [
        (4, "duplicate of an earlier row", "row 2")
    ]


def test_same_bytes_under_another_name_is_a_duplicate_and_changes_nothing(zone):
    first = write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, COMMUNITY_ROWS)
    second = zone.path("unit", "名录(重发).csv")
    second.write_bytes(first.read_bytes())
    assert zone.ingest(first).status == "loaded"
    outcome = zone.ingest(second)
    assert outcome.status == "duplicate" and "名录.csv" in outcome.reason
    assert zone.con.execute("SELECT count(*) FROM raw.community_register").fetchone()[0] == 3
    assert zone.con.execute("SELECT outcome FROM quality.arrivals ORDER BY seen_at, outcome DESC").fetchall()[-1] == ("duplicate",)


def test_an_optional_column_blank_in_every_row_loads_as_nulls(zone):
    rows = [row[:2] + [""] + row[3:] for row in COMMUNITY_ROWS]  # no 曾用名 at all
    outcome = zone.ingest(write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, rows))
    assert outcome.status == "loaded" and outcome.rows_loaded == 3
    assert zone.rows("community_register", "aliases, alias_keys") == [(None, None)] * 3


# ------------------------------------------------------------------ layouts


def test_xlsx_title_rows_merged_cells_totals_and_blank_rows_are_skipped_and_counted(zone):
    path = write_xlsx(zone.path("unit", "安置小区名录.xlsx"), COMMUNITY_HEADER, COMMUNITY_ROWS,
                      titles=["江城区安置小区名录", "填报单位：房管局  截至：2024年10月31日"], total_row=True)
    outcome = zone.ingest(path)
    assert (outcome.rows_loaded, outcome.rows_skipped) == (3, 4)  # 2 titles, a blank row, the totals row
    assert str(outcome.as_of) == "2024-10-31"
    assert_balanced(outcome)


def test_the_date_after_jiezhi_is_the_as_of_date_and_spaced_totals_rows_are_skipped(zone):
    """A title row may also state when the file was filled in; 截至 says which date it speaks for."""
    rows = COMMUNITY_ROWS + [["合 计", "", "", "", "", "", "", "", ""], ["合　计：", "3"]]
    path = write_csv(zone.path("unit", "安置小区名录.csv"), COMMUNITY_HEADER, rows,
                     titles=["江城区安置小区名录", "填报日期：2024年11月5日    截至：2024年10月31日"])
    outcome = zone.ingest(path)
    assert (str(outcome.as_of), outcome.rows_loaded, outcome.rows_skipped, zone.rejects()) == ("2024-10-31", 3, 4, [])


@pytest.mark.parametrize("ending", ["合计：3个小区", "\r\n\x1a"])
def test_a_file_ending_in_a_short_totals_line_or_a_dos_end_mark_is_not_truncated(zone, ending):
    text = "\r\n".join(",".join(r) for r in [COMMUNITY_HEADER, *COMMUNITY_ROWS]) + ("\r\n" if ending.startswith("合") else "") + ending
    path = zone.path("unit", "名录.csv")
    path.write_text(text, encoding="utf-8")
    outcome = zone.ingest(path)
    assert (outcome.status, outcome.rows_loaded, zone.rejects()) == ("loaded", 3, []), outcome.reason


def test_header_variants_column_order_and_unknown_columns(zone):
    header = ["小区名称 ", "小区编码*", "区县\n代码", "街道代码", "建成年份", "备用字段"]
    rows = [["和谐苑", "420102001002", "420102", "420102001", "2021", "保留我"]]
    outcome = zone.ingest(write_csv(zone.path("unit", "名录.csv"), header, rows))
    assert outcome.status == "loaded"
    source = json.loads(zone.rows("community_register", "_source")[0][0])
    assert source["备用字段"] == "保留我"  # unknown columns are kept


def test_a_unit_in_the_header_is_how_the_values_are_read(zone):
    """平米 and M² are the ㎡ of 建筑面积; 万元 and 公里 change what the numbers mean. A value that states
    its own unit keeps it."""
    header = [h.replace("建筑面积（㎡）", "建筑面积（平米）") for h in DWELLING_HEADER]
    assert zone.ingest(write_csv(zone.path("unit", "房源台账.csv"), header, DWELLING_ROWS[:1])).status == "loaded"
    header = [h.replace("建筑面积（㎡）", "建筑面积(M²)") for h in DWELLING_HEADER]
    assert zone.ingest(write_csv(zone.path("unit", "房源台账2.csv"), header, DWELLING_ROWS[1:2])).status == "loaded"
    assert zone.rows("dwelling_register", "floor_area") == [(89.5,), (89.5,)]

    usage = [["和谐苑", "电梯更换", "12.5", "2025-06-01"], ["和谐苑", "屋面防水", "3,000元", "2025-06-02"],
             ["和谐苑", "外墙修缮", "0.123456", "2025-06-03"]]
    zone.ingest(write_csv(zone.path("fund", "维修资金使用公示_202506.csv"), ["小区名称", "项目名称", "使用金额（万元）", "表决通过日期"], usage))
    assert [(r[0], float(r[1])) for r in zone.rows("fund_expenditure", "project_name, amount")] == [
        ("电梯更换", 125000.0), ("屋面防水", 3000.0), ("外墙修缮", 1234.56)]

    services = [["和谐苑", "小学", "0.8"], ["和谐苑", "公交站点", "300米"]]
    zone.ingest(write_csv(zone.path("facility", "配套_20250630.csv"), ["小区名称", "配套类型", "步行距离（公里）"], services))
    assert zone.rows("nearby_service", "service_type, walking_distance_m") == [("小学", 800.0), ("公交站点", 300.0)]


def test_cr_only_line_endings_nul_bytes_and_a_stray_bom(zone):
    text = ",".join(COMMUNITY_HEADER) + "\r" + ",".join(COMMUNITY_ROWS[0]).replace("幸福家园一期", "幸福\x00家园一期") + "\r"
    text += "\ufeff" + ",".join(COMMUNITY_ROWS[1]) + "\r"
    path = zone.path("unit", "名录.csv")
    path.write_bytes(text.encode("utf-8"))
    outcome = zone.ingest(path)
    assert outcome.rows_loaded == 2
    assert zone.rows("community_register", "estate_name") == [("幸福家园一期",), ("和谐苑",)]
    assert {w[2] for w in zone.warnings()} >= {"NUL byte removed", "byte-order mark inside the file removed"}


def test_a_stray_control_character_in_free_text_does_not_make_a_file_binary(zone):
    header = WORK_ORDER_HEADER + ["诉求内容"]
    rows = [["W1", "2025-06-01 09:00", "江城区", "和谐苑1栋", "设施报修", "否", "", "", "已受理", "2025-06-01 09:00", "楼上漏水\x0b请尽快处理"],
            ["W2", "2025-06-01 10:00", "江城区", "和谐苑2栋", "设施报修", "否", "", "", "已受理", "2025-06-01 10:00", "电梯\x01故障"]]
    outcome = zone.ingest(write_csv(zone.path("complaint", "12345工单_20250630.csv"), header, rows))
    assert outcome.status == "loaded", outcome.reason
    assert zone.rows("work_order", "content") == [("楼上漏水 请尽快处理",), ("电梯\x01故障",)]


def test_formula_like_text_loads_as_written(zone):
    rows = [["H1", "=HYPERLINK(\"x\")", VALID_ID, "和谐苑", "1-1-101", "", "", ""]]
    zone.ingest(write_csv(zone.path("household", "花名册.csv"), ROSTER_HEADER, rows))
    assert zone.rows("household_roster", "name") == [('=HYPERLINK("x")',)]


def test_a_field_over_16_mib_rejects_its_row(zone):
    rows = [COMMUNITY_ROWS[0][:7] + ["x" * (16 * 1024 * 1024 + 1), ""], COMMUNITY_ROWS[1]]
    header = COMMUNITY_HEADER[:7] + ["详细地址", "交付日期"]
    rows[1] = COMMUNITY_ROWS[1][:7] + ["", ""]
    rows[1][7:9] = ["", ""]
    write_csv(zone.path("unit", "名录.csv"), header + ["建成年份"], [r + ["2012"] for r in rows])
    outcome = zone.ingest(zone.path("unit", "名录.csv"))
    assert outcome.rows_loaded == 1
    assert zone.rejects()[0][2] == "a field longer than 16 MiB"


# ------------------------------------------------------------------ 13. whole-file faults


def _xlsx_bytes(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "scratch.xlsx", COMMUNITY_HEADER, COMMUNITY_ROWS).read_bytes()


def _truncated(_: Path) -> bytes:
    body = (",".join(COMMUNITY_HEADER) + "\r\n" + "\r\n".join(",".join(r) for r in COMMUNITY_ROWS)).encode()
    return body[: -12]


def _zip_with(member: str) -> callable:
    def make(tmp_path: Path) -> bytes:
        target = tmp_path / "scratch.zip"
        with zipfile.ZipFile(target, "w") as z:
            z.writestr(member, "x")
        return target.read_bytes()

    return make


FAULTS = {
    "empty": ("名录.csv", lambda _: b"", "empty file"),
    "header only": ("名录.csv", lambda _: (",".join(COMMUNITY_HEADER) + "\r\n").encode(), "header only"),
    "title rows only": ("名录.csv", lambda _: "安置小区名录\r\n填报单位：房管局\r\n".encode(), "no header row of a known file kind"),
    "truncated mid-row": ("名录.csv", _truncated, "truncated file"),
    "required column missing": ("名录.csv", lambda _: ("小区名称,区县代码,街道代码,建成年份\r\n和谐苑,420102,420102001,2021\r\n").encode(), "required column missing: 小区编码"),
    ".xls": ("名录.xls", lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "unsupported format"),
    ".docx": ("名录.docx", _zip_with("word/document.xml"), "unsupported format"),
    ".zip": ("名录.zip", _zip_with("a.csv"), "unsupported format"),
    "no extension": ("名录", lambda _: b"a,b\r\n", "unsupported format"),
    ".csv that is really xlsx": ("名录.csv", _xlsx_bytes, "extension .csv does not match the content, which is xlsx"),
    ".xlsx that is really text": ("名录.xlsx", lambda _: b"a,b,c\r\n", "extension .xlsx does not match the content, which is text"),
    "over 500 columns": ("名录.csv", lambda _: (",".join(f"c{i}" for i in range(501)) + "\r\n").encode(), "more than 500 columns"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_whole_file_faults_are_quarantined_with_one_reason_and_archived(zone, fault):
    name, make, reason = FAULTS[fault]
    path = zone.path("unit", name)
    path.write_bytes(make(zone.root))
    outcome = zone.ingest(path)
    assert outcome.status == "quarantined"
    assert reason in outcome.reason
    archived = zone.con.execute("SELECT archive_path FROM quality.files WHERE file_sha = ?", [outcome.file_sha]).fetchone()[0]
    assert (zone.root / "archive" / archived).read_bytes() == path.read_bytes()


def test_a_wide_data_row_among_the_first_rows_is_not_taken_for_a_wide_header(zone):
    """Trailing empty fields are no columns; a data row of 600 filled fields is rejected by itself."""
    header = ",".join(COMMUNITY_HEADER)
    rows = [",".join(r) for r in COMMUNITY_ROWS]
    text = "\r\n".join([header, rows[0] + "," * 600, rows[1] + "," + ",".join(["x"] * 600), rows[2]]) + "\r\n"
    path = zone.path("unit", "名录.csv")
    path.write_text(text, encoding="utf-8")
    outcome = zone.ingest(path)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2), outcome.reason
    assert zone.rejects() == [(3, "", "a row of more than 500 fields")]


def test_a_formatted_but_empty_cell_far_to_the_right_does_not_widen_the_sheet(zone):
    """A fill reaching column WB writes an empty <c r="WB2" s="1"/>: no value, no column."""
    import openpyxl
    from openpyxl.styles import PatternFill

    book = openpyxl.Workbook()
    book.active.append(COMMUNITY_HEADER)
    book.active.append(COMMUNITY_ROWS[0])
    book.active.cell(row=2, column=600).fill = PatternFill("solid", fgColor="FFFF00")
    path = zone.path("unit", "名录.xlsx")
    book.save(path)
    outcome = zone.ingest(path)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1), outcome.reason


def test_xlsx_expanding_beyond_1_gib_is_refused_before_reading(zone):
    path = write_bomb(zone.path("unit", "炸弹.xlsx"), (1 << 30) + (1 << 24))  # 1 GiB and a block of 16 MiB
    assert path.stat().st_size < 5 * 1024 * 1024
    outcome = zone.ingest(path)
    assert outcome.status == "quarantined" and "expand" in outcome.reason


def test_a_symbolic_link_is_quarantined_without_being_followed(zone, tmp_path):
    secret = tmp_path / "secret.csv"
    write_csv(secret, COMMUNITY_HEADER, COMMUNITY_ROWS)
    link = zone.path("unit", "名录.csv")
    os.symlink(secret, link)
    outcome = zone.ingest(link)
    assert outcome.status == "quarantined" and "symbolic link" in outcome.reason
    assert zone.con.execute("SELECT count(*) FROM raw.community_register").fetchone()[0] == 0


def test_a_hidden_file_is_left_while_in_transfer_and_read_once_settled(zone):
    partial = write_csv(zone.path("unit", ".名录.csv.part"), COMMUNITY_HEADER, COMMUNITY_ROWS)
    paths = type("P", (), {"landing": zone.root / "landing"})()
    assert landing.landing_files(paths) == []
    settled = time.time() - landing.IN_TRANSFER_SECONDS - 60
    os.utime(partial, (settled, settled))
    assert landing.landing_files(paths) == [("unit", partial)]


def test_one_bad_file_does_not_stop_the_others(zone):
    write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, COMMUNITY_ROWS)
    zone.path("unit", "坏.csv").write_bytes(b"")
    write_csv(zone.path("household", "花名册.csv"), ROSTER_HEADER, [["H1", "张伟", VALID_ID, "和谐苑", "1-1-101", "", "", ""]])
    paths = type("P", (), {"landing": zone.root / "landing", "archive": zone.root / "archive"})()
    outcomes = landing.ingest(zone.con, paths, landing.landing_files(paths), "run")
    assert sorted(o.status for o in outcomes) == ["loaded", "loaded", "quarantined"]
    assert landing.unseen(zone.con, landing.landing_files(paths)) == []  # nothing is read twice


def test_reprocessing_an_archived_file_replaces_what_it_loaded(zone):
    outcome = zone.ingest(write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, COMMUNITY_ROWS))
    again = loader.reprocess_file(zone.con, zone.root / "archive", outcome.file_sha, "rerun")
    assert again.status == "loaded" and again.rows_loaded == 3
    assert zone.con.execute("SELECT count(*) FROM raw.community_register").fetchone()[0] == 3
    assert zone.con.execute("SELECT count(*) FROM quality.files").fetchone()[0] == 1


def test_a_home_moved_elsewhere_knows_its_files_and_can_read_its_archive_again(zone):
    write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, COMMUNITY_ROWS)
    paths = type("P", (), {"landing": zone.root / "landing", "archive": zone.root / "archive"})()
    [outcome] = landing.ingest(zone.con, paths, landing.landing_files(paths), "run")
    zone.con.close()
    moved = zone.root.rename(zone.root.with_name(zone.root.name + "-moved"))  # mtimes kept, as a restore keeps them
    con = store.connect(moved / "work.duckdb")
    try:
        paths = type("P", (), {"landing": moved / "landing", "archive": moved / "archive"})()
        assert landing.unseen(con, landing.landing_files(paths)) == []  # not taken for new arrivals
        again = loader.reprocess_file(con, paths.archive, outcome.file_sha, "rerun")
        assert again.status == "loaded" and again.rows_loaded == 3
    finally:
        con.close()


def test_records_of_an_older_version_naming_absolute_paths_become_relative(zone):
    zone.con.execute("INSERT INTO quality.arrivals (source, landing_path, file_name) VALUES "
                     "('unit', '/srv/anju/landing/unit/名录.csv', '名录.csv'), ('unit', 'unit/新.csv', '新.csv')")
    zone.con.execute("INSERT INTO quality.files (file_sha, archive_path) VALUES ('ab12', '/srv/anju/archive/ab/ab12')")
    store.ensure_schema(zone.con)
    assert zone.con.execute("SELECT landing_path FROM quality.arrivals ORDER BY file_name").fetchall() == [
        ("unit/名录.csv",), ("unit/新.csv",)]
    assert zone.con.execute("SELECT archive_path FROM quality.files").fetchall() == [("ab/ab12",)]


def test_a_failed_write_leaves_nothing_of_the_file(zone, monkeypatch):
    path = write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, COMMUNITY_ROWS)
    original = loader._insert

    def fail_on_files(con, table, frame, *args, **kwargs):
        if table == "quality.files":
            raise OSError("disk full")
        original(con, table, frame, *args, **kwargs)

    monkeypatch.setattr(loader, "_insert", fail_on_files)
    with pytest.raises(OSError):
        zone.ingest(path)
    assert zone.con.execute("SELECT count(*) FROM raw.community_register").fetchone()[0] == 0
    monkeypatch.setattr(loader, "_insert", original)
    assert zone.ingest(path).status == "loaded"  # the next run takes it in whole


def test_work_database_is_a_real_duckdb_file(zone):
    zone.con.close()
    with duckdb.connect(str(zone.root / "work.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quality.files").fetchone() == (0,)


def test_out_of_range_optional_score_is_nulled_with_a_warning(zone):
    header = ["测评月份", "问卷编号", "小区名称", "总体满意度", "物业服务评分"]
    rows = [["2026-10", "Q1", "和谐苑", "满意", "6"], ["2026年10月", "Q2", "和谐苑", "4", "5"]]
    outcome = zone.ingest(write_csv(zone.path("engagement", "测评202610.csv"), header, rows))
    assert outcome.rows_loaded == 2
    assert zone.rows("satisfaction_survey", "overall_satisfaction, property_service_score") == [("满意", None), ("满意", 5)]
    assert zone.warnings() == [(2, "物业服务评分", "invalid value set to null: 物业服务评分 outside 1–5")]


def test_of_two_deliveries_of_the_same_bytes_the_later_arrival_is_the_duplicate(zone):
    resent = write_csv(zone.path("unit", "名录(重发).csv"), COMMUNITY_HEADER, COMMUNITY_ROWS)
    first = zone.path("unit", "名录.csv")
    first.write_bytes(resent.read_bytes())
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(resent, (1_700_003_600, 1_700_003_600))  # an hour later, though its name sorts first
    paths = type("P", (), {"landing": zone.root / "landing", "archive": zone.root / "archive"})()
    outcomes = landing.ingest(zone.con, paths, landing.landing_files(paths), "run")
    assert [(o.file_name, o.status) for o in outcomes] == [("名录.csv", "loaded"), ("名录(重发).csv", "duplicate")]


def test_of_two_ledger_files_stating_one_date_within_one_second_the_later_arrival_comes_first(zone):
    """The ledger's order (macros/ledger.sql: _as_of, _arrived_at, then _row_number) must not reach
    the row numbers of two files that arrived 0.6 s apart: the later file's S002 is the newest."""
    early = write_csv(zone.path("fund", "缴存明细202503.csv"), DEPOSIT_HEADER,
                      [[f"S00{i}", "和谐苑", f"和谐苑1-1-10{i}", "800", "800", "2025-03-06", "首期归集", ""] for i in (1, 3, 2)])
    late = write_csv(zone.path("fund", "缴存明细20250331补报.csv"), DEPOSIT_HEADER,
                     [["S002", "和谐苑", "和谐苑1-1-102", "800", "400", "2025-03-06", "首期归集", ""]])
    os.utime(early, ns=(1_743_472_800_200_000_000,) * 2)
    os.utime(late, ns=(1_743_472_800_800_000_000,) * 2)
    paths = type("P", (), {"landing": zone.root / "landing", "archive": zone.root / "archive"})()
    landing.ingest(zone.con, paths, landing.landing_files(paths), "run")
    newest = zone.con.execute("SELECT _file_name, amount_paid FROM raw.fund_deposit WHERE serial_no = 'S002' "
                              "ORDER BY _as_of DESC, _arrived_at DESC, _row_number DESC LIMIT 1").fetchone()
    assert (newest[0], float(newest[1])) == ("缴存明细20250331补报.csv", 400.0)


# ------------------------------------------------------------------ files read a chunk at a time


def _community_rows(n: int) -> list[list[str]]:
    return [[f"4201020010{i:02d}", f"小区{i}", "", "420102", "江城区", "420102001", "幸福街道", "2012", "2013-06-01"]
            for i in range(n)]


def test_a_row_repeating_one_of_an_earlier_chunk_is_a_duplicate(zone, monkeypatch):
    monkeypatch.setenv("ANJU_INGEST_CHUNK_ROWS", "10")  # the header and 9 rows, then 10 rows at a time
    rows = _community_rows(25)
    rows[17] = rows[3]  # record 19 repeats record 5, two chunks earlier
    outcome = zone.ingest(write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, rows))
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (25, 24, 1)
    assert zone.con.execute("SELECT row_number, rule, value FROM quality.rejects").fetchall() == [
        (19, "duplicate of an earlier row", "row 5")
    ]
    assert [r for (r,) in zone.con.execute("SELECT _row_number FROM raw.community_register ORDER BY 1").fetchall()] == [
        n for n in range(2, 27) if n != 19]


def test_a_file_quarantined_after_its_first_chunks_leaves_none_of_its_rows(zone, monkeypatch):
    monkeypatch.setenv("ANJU_INGEST_CHUNK_ROWS", "10")
    path = write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, _community_rows(30))
    path.write_bytes(path.read_bytes()[: -len("2012,2013-06-01\r\n")])  # the transfer broke in the last row
    outcome = zone.ingest(path)
    assert outcome.status == "quarantined" and outcome.reason.startswith("truncated file: the last row has 8 of 9 fields")
    assert zone.con.execute("SELECT count(*) FROM raw.community_register").fetchone()[0] == 0
    assert zone.con.execute("SELECT count(*) FROM quality.rejects").fetchone()[0] == 0
    assert zone.con.execute("SELECT status, rows_loaded FROM quality.files").fetchall() == [("quarantined", 0)]
    assert not any((zone.root / "ingest-scratch").iterdir())  # its scratch database is gone too


def test_undecodable_share_is_judged_on_the_whole_file_not_a_chunk(zone, monkeypatch):
    monkeypatch.setenv("ANJU_INGEST_CHUNK_ROWS", "50")
    path = zone.path("household", "花名册.csv")
    path.write_bytes(_gbk_with_bad_bytes(300, {1}))  # 1 of 300 rows; 1 of the first chunk's 49 would be 2 %
    outcome = zone.ingest(path)
    assert outcome.status == "loaded" and outcome.rows_rejected == 1
    path.write_bytes(_gbk_with_bad_bytes(300, {1, 120, 250, 299}))  # 4 of 300: over 1 %
    outcome = zone.ingest(path)
    assert outcome.status == "quarantined" and "4 of 300 rows hold undecodable bytes" in outcome.reason


KINDS_TO_CHUNK = ("household_roster", "property_fee", "participation", "dwelling_register", "work_order")


def test_files_read_in_chunks_load_exactly_what_they_load_in_one_piece(small_sample, tmp_path, monkeypatch):
    """The generator's messiest files (every mess item of EXPORTS.md), loaded whole and 300 records
    at a time: the same raw rows, rejects, warnings, contract results and file records."""
    by_kind: dict[str, Path] = {}
    for path in sorted(small_sample.landing.rglob("*.csv"), key=lambda p: -p.stat().st_size):  # the largest of each kind
        match = find_header(next(read_sheets(path, "csv")[0].chunks).records)
        if match and match.kind.name in KINDS_TO_CHUNK:
            by_kind.setdefault(match.kind.name, path)
    assert set(by_kind) == set(KINDS_TO_CHUNK)
    homes = {}
    for label, chunk in (("whole", "1000000"), ("chunked", "300")):
        monkeypatch.setenv("ANJU_INGEST_CHUNK_ROWS", chunk)
        homes[label] = Landing(tmp_path / label)
        for path in by_kind.values():
            assert homes[label].ingest(path).status == "loaded"
        homes[label].con.close()
    assert max(sum(1 for _ in p.open("rb")) for p in by_kind.values()) > 900  # at least four chunks
    assert _assert_same_rows(homes["whole"].root / "work.duckdb", homes["chunked"].root / "work.duckdb") > 5000


def test_the_largest_files_are_read_first_one_worker_keeping_to_arrival():
    assert landing.reading_order([5, 1, 9, 9, 2], processes=2) == [2, 0, 1, 3, 4]
    assert landing.reading_order([5, 1, 9, 9, 2], processes=3) == [2, 3, 0, 1, 4]  # equal sizes: the earlier first
    assert landing.reading_order([5, 1, 9, 9, 2], processes=0) == [0, 1, 2, 3, 4]
    assert landing.reading_order([], processes=2) == []


def test_of_the_same_bytes_read_out_of_turn_the_earlier_delivery_still_loads(zone, monkeypatch):
    """A copy that looked larger when the batch was listed (it was being rewritten) is read first by
    a worker; the earlier delivery of the same bytes still loads, from its own scratch database, and
    the later is the duplicate."""
    monkeypatch.setenv("ANJU_INGEST_PROCESSES", "2")
    first = write_csv(zone.path("unit", "名录.csv"), COMMUNITY_HEADER, COMMUNITY_ROWS)
    later = zone.path("unit", "名录(重发).csv")
    later.write_bytes(first.read_bytes())
    os.utime(first, (1_700_000_000, 1_700_000_000))
    monkeypatch.setattr(landing, "_size", lambda path: 2 if path == later else 1)
    paths = Paths(zone.root)
    outcomes = landing.ingest(zone.con, paths, landing.landing_files(paths), "run")
    assert [(o.file_name, o.status) for o in outcomes] == [("名录.csv", "loaded"), ("名录(重发).csv", "duplicate")]
    assert zone.con.execute("SELECT count(*) FROM raw.community_register").fetchone()[0] == 3
    assert not any(loader.scratch_dir(zone.con).glob("*"))


def test_files_read_by_worker_processes_load_what_they_load_read_here(small_sample, tmp_path, monkeypatch):
    """A landing zone of large files, the same bytes delivered twice, a truncated file and a link,
    ingested with two reading processes and in this process alone: the same outcomes, raw rows,
    rejects, warnings, contract results and file records, in the same order of arrival. The largest
    file arrives after the others, so that two processes read it first (landing.reading_order)."""
    monkeypatch.setenv("ANJU_HOME", str(tmp_path / "home"))  # one pseudonym key for both loads
    sources = sorted(small_sample.landing.rglob("*.csv"), key=lambda p: -p.stat().st_size)[:6]
    outcomes, roots = {}, {}
    for processes in ("1", "2"):
        monkeypatch.setenv("ANJU_INGEST_PROCESSES", processes)
        zone = Landing(tmp_path / f"processes-{processes}")
        for i, source in enumerate(sources):
            copy = zone.path(source.parent.name, source.name)
            copy.write_bytes(source.read_bytes())
            os.utime(copy, (1_700_000_005 - i, 1_700_000_005 - i))  # the smallest first
        again = zone.path(sources[0].parent.name, "重发-" + sources[0].name)
        again.write_bytes(sources[0].read_bytes())
        data = sources[1].read_bytes()  # cut after the first field of a row in the middle
        cut = data.index(b",", data.index(b"\n", len(data) // 2) + 1) + 1
        zone.path(sources[1].parent.name, "断-" + sources[1].name).write_bytes(data[:cut])
        zone.path("unit", "链接.csv").symlink_to(sources[2])
        for i, name in enumerate(("重发-" + sources[0].name, "断-" + sources[1].name)):  # arrive last, at the same times in both
            os.utime(zone.root / "landing" / sources[i].parent.name / name, (1_700_000_100 + i, 1_700_000_100 + i))
        os.utime(zone.path("unit", "链接.csv"), (1_700_000_102, 1_700_000_102), follow_symlinks=False)
        paths = Paths(zone.root)
        outcomes[processes] = [(o.file_name, o.status, o.kind, o.rows_loaded, o.rows_rejected, o.reason)
                               for o in landing.ingest(zone.con, paths, landing.landing_files(paths), "run")]
        assert not any(loader.scratch_dir(zone.con).glob("*"))  # no scratch database left
        for table in ("quality.files", "quality.arrivals"):  # a link's checksum is of its path, which differs by home
            zone.con.execute(f"DELETE FROM {table} WHERE file_sha LIKE 'path:%'")
        zone.con.close()
        roots[processes] = zone.root / "work.duckdb"
    assert outcomes["1"] == outcomes["2"]
    by_name = {name: (status, reason) for name, status, _, _, _, reason in outcomes["2"]}
    assert [by_name[s.name][0] for s in sources] == ["loaded"] * 6
    assert by_name["重发-" + sources[0].name][0] == "duplicate"
    assert by_name["断-" + sources[1].name][1].startswith("truncated file")
    assert by_name["链接.csv"] == ("quarantined", "a symbolic link: not read")
    assert _assert_same_rows(roots["1"], roots["2"]) > 5000


def _assert_same_rows(a: Path, b: Path) -> int:
    """Assert that two work databases hold the same raw and quality rows (but when and by which run
    they were taken); return how many rows were compared."""
    con = duckdb.connect()
    for label, path in (("a", a), ("b", b)):
        con.execute(f"ATTACH '{path}' AS {label} (READ_ONLY)")
    run_specific = {"ingested_at", "seen_at", "run_id"}
    tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'a' "
                         "AND schema_name IN ('raw', 'quality')").fetchall()
    compared = 0
    for schema, table in tables:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND schema_name = ? AND table_name = ?",
            [schema, table]).fetchall() if c not in run_specific]
        select = ", ".join(f'"{c}"' for c in columns)
        for x, y in (("a", "b"), ("b", "a")):
            only = con.execute(f"SELECT count(*) FROM (SELECT {select} FROM {x}.{schema}.{table} "
                               f"EXCEPT ALL SELECT {select} FROM {y}.{schema}.{table})").fetchone()[0]
            assert only == 0, f"{schema}.{table}: {only} rows only in {[a, b][x == 'b']}"
        compared += con.execute(f"SELECT count(*) FROM a.{schema}.{table}").fetchone()[0]
    return compared
