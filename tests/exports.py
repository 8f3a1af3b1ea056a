"""Write small department exports by hand, for tests that need exact control over every cell."""

from __future__ import annotations

import csv
import io
from pathlib import Path

COMMUNITY_HEADER = ["小区编码", "小区名称", "曾用名", "区县代码", "区县", "街道代码", "街道", "建成年份", "交付日期"]
COMMUNITY_ROWS = [
    ["420102001001", "幸福家园一期", "幸福小区", "420102", "江城区", "420102001", "幸福街道", "2012", "2013-06-01"],
    ["420102001002", "和谐苑", "", "420102", "江城区", "420102001", "幸福街道", "2021", "2022-03-15"],
    ["420103002001", "安康新村", "康居苑；安康小区", "420103", "汉水区", "420103002", "安康街道", "2008", "2009-09-30"],
]
DWELLING_HEADER = ["房源编号", "区县", "街道", "小区名称", "楼栋", "单元", "房号", "建筑面积（㎡）", "分配状态", "交付日期", "办证日期"]
DWELLING_ROWS = [
    ["FY0001", "江城区", "幸福街道", "幸福家园一期", "3栋", "2单元", "501", "89.5", "已分配", "2013-06-01", ""],
    ["FY0002", "江城区", "幸福街道", "幸福家园（一期）", "3", "2", "502室", "89.50㎡", "已分配", "2013-06-01", "2014-01-02"],
    ["FY0003", "江城区", "幸福街道", "和谐苑", "1号楼", "一单元", "0101", "75平方米", "待分配", "", ""],
    ["FY0004", "汉水区", "安康街道", "康居苑", "2", "1", "301", "102", "已分配", "2009-09-30", ""],
]
HOUSEHOLD_HEADER = ["户编号", "姓名", "身份证号码", "与户主关系", "安置类型", "安置小区", "安置房号", "人员状态"]
HOUSEHOLD_ROWS = [
    ["H001", "张伟", "11010519491231002X", "户主", "棚改", "幸福家园一期", "3栋2单元501", ""],
    ["H001", "李娜", "130503670401001", "配偶", "城镇棚改", "幸福家园一期", "3-2-501", "在册"],
    ["H002", "王芳", "420102198001011231", "户主", "农村拆迁", "江城区和谐苑", "1号楼1单元101", "迁出"],
    ["H003", "赵强", "420103197505050017", "户主", "旧城改造", "安康新村", "2#1-301", ""],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8", titles: list[str] = ()) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for title in titles:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list], titles: list[str] = (), total_row: bool = False) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    r = 0
    for title in titles:
        sheet.merge_range(r, 0, r, len(header) - 1, title)
        r += 1
    sheet.write_row(r, 0, header)
    for row in rows:
        r += 1
        sheet.write_row(r, 0, row)
    if total_row:
        sheet.write_row(r + 2, 0, ["合计", len(rows)])  # a blank row, then the totals
    book.close()
    return path


def write_minimal_landing(landing: Path) -> None:
    """One estate register, one dwelling register and one roster: the skeleton's three kinds."""
    write_xlsx(landing / "unit" / "安置小区名录(截至2026年10月31日).xlsx", COMMUNITY_HEADER, COMMUNITY_ROWS,
               titles=["安置小区名录", "填报单位：市房管局  截至：2026年10月31日"], total_row=True)
    write_csv(landing / "unit" / "房源台账20261031.csv", DWELLING_HEADER, DWELLING_ROWS, encoding="gb18030")
    write_csv(landing / "household" / "江城区安置人员花名册2026-10-31.csv", HOUSEHOLD_HEADER, HOUSEHOLD_ROWS, encoding="utf-8-sig")
