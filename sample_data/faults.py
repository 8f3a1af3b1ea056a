"""Whole-file faults (mess item 13 and the format limits of EXPORTS.md), written as extra files.

Each is recorded in truth/files.csv with `fault` and `expected = quarantine` (or `duplicate` for the
same bytes delivered again under another name).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .exports import ExportContext
from .kinds import COMPLAINTS, DEPOSITS, FACILITIES, PARTICIPATION, REGISTER, ROSTER, UNITS
from .writers import Layout, set_arrival, write_csv, write_xlsx

FIXED_ZIP_TIME = (2026, 11, 1, 0, 0, 0)
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # the header of a legacy .xls / .doc


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, FIXED_ZIP_TIME), data)
    return buf.getvalue()


def write_faults(ctx: ExportContext, roster: pd.DataFrame, register: pd.DataFrame, as_of: pd.Timestamp) -> list[dict]:
    """Write one file per fault; `roster` (its first rows) and `register` are clean frames to cut real-looking
    content from."""
    landing = ctx.landing
    arrival = as_of.normalize() + pd.Timedelta(hours=13)
    records = []

    def record(rel: str, kind: str, fault: str, expected: str = "quarantine") -> None:
        path = landing / rel
        if not path.is_symlink():
            set_arrival(path, arrival)
        records.append({"file": rel, "source": rel.split("/")[0], "kind": kind, "format": Path(rel).suffix.lstrip("."),
                        "encoding": "", "date": as_of.strftime("%Y-%m-%d"), "period_start": "", "date_stated_in": "name",
                        "title_rows": 0, "data_rows": 0, "arrival_utc": arrival.strftime("%Y-%m-%d %H:%M:%S"),
                        "fault": fault, "expected": expected})

    stamp = as_of.strftime("%Y%m%d")
    csv_layout = Layout("csv", encoding="utf-8")
    head = roster[ROSTER.names].head(40)

    (landing / f"household/安置人员花名册_空文件_{stamp}.csv").write_bytes(b"")
    record(f"household/安置人员花名册_空文件_{stamp}.csv", "roster", "empty")

    write_csv(landing / f"unit/安置房源台账_仅表头_{stamp}.csv", UNITS.names, pd.DataFrame(columns=UNITS.names), csv_layout)
    record(f"unit/安置房源台账_仅表头_{stamp}.csv", "units", "header_only")

    titles = Layout("xlsx", title_rows=[f"{ctx.city_name}安置人员花名册", f"截至{as_of.year}年{as_of.month}月"], merge_titles=True)
    write_xlsx(landing / f"household/安置人员花名册_仅标题_{stamp}.xlsx", [], pd.DataFrame(), titles)
    record(f"household/安置人员花名册_仅标题_{stamp}.xlsx", "roster", "title_only")

    buf = head.to_csv(index=False).encode("utf-8")
    cut = buf.rfind(b"\n", 0, len(buf) // 2) + 25  # a transfer broke mid-row
    (landing / f"household/安置人员花名册_{stamp}_传输中断.csv").write_bytes(buf[:cut])
    record(f"household/安置人员花名册_{stamp}_传输中断.csv", "roster", "truncated")

    no_key = pd.DataFrame(columns=[c for c in COMPLAINTS.names if c != "工单编号"])
    no_key.loc[0] = ["2026-10-08 09:00:00", "王**", "138****5678", "", "", "", "物业服务", "收费", "", "否", "", "", "",
                     "已受理", "", "", "2026-10-08 09:00:00"]
    write_csv(landing / f"complaint/12345工单明细_缺工单编号_{stamp}.csv", list(no_key.columns), no_key, csv_layout)
    record(f"complaint/12345工单明细_缺工单编号_{stamp}.csv", "complaints", "required_column_missing")

    (landing / f"facility/设施设备台账_{stamp}.xls").write_bytes(OLE_MAGIC + bytes(504))
    record(f"facility/设施设备台账_{stamp}.xls", "facilities", "unsupported_xls")

    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": "<w:document>居民参与记录说明</w:document>".encode()})
    (landing / f"engagement/居民参与记录说明_{stamp}.docx").write_bytes(docx)
    record(f"engagement/居民参与记录说明_{stamp}.docx", "participation", "unsupported_docx")

    zipped = _zip({"缴存明细.csv": pd.DataFrame(columns=DEPOSITS.names).to_csv(index=False).encode("utf-8")})
    (landing / f"fund/维修资金缴存明细_{stamp}.zip").write_bytes(zipped)
    record(f"fund/维修资金缴存明细_{stamp}.zip", "deposits", "unsupported_zip")

    xlsx_path = landing / f"engagement/居民参与记录_{stamp}.csv"
    participation = pd.DataFrame([["2026-10-10", register["小区名称"].iloc[0], "志愿服务", "10月志愿服务", "张伟", "", "", "5"]],
                                 columns=PARTICIPATION.names)
    write_xlsx(xlsx_path, PARTICIPATION.names, participation, Layout("xlsx"))
    record(f"engagement/居民参与记录_{stamp}.csv", "participation", "csv_is_xlsx")

    (landing / f"facility/设施设备台账_{stamp}_导出.xlsx").write_bytes(
        pd.DataFrame(columns=FACILITIES.names).to_csv(index=False).encode("utf-8"))
    record(f"facility/设施设备台账_{stamp}_导出.xlsx", "facilities", "xlsx_is_text")

    write_csv(landing / f"complaint/12345工单明细{stamp}", COMPLAINTS.names, pd.DataFrame(columns=COMPLAINTS.names), csv_layout)
    record(f"complaint/12345工单明细{stamp}", "complaints", "no_extension")

    # A GBK file where far more than 1% of the rows hold undecodable bytes.
    gbk = Layout("csv", encoding="gbk")
    rows = np.arange(0, len(head), 5)
    write_csv(landing / f"household/安置人员花名册_乱码_{stamp}.csv", ROSTER.names, head, gbk, corrupt_rows=rows)
    record(f"household/安置人员花名册_乱码_{stamp}.csv", "roster", "undecodable_over_1pct")

    target = f"unit/安置小区名录_{stamp}_链接.csv"
    write_csv(landing / "unit" / f".register_{stamp}.tmp", REGISTER.names, register[REGISTER.names], csv_layout)
    (landing / target).symlink_to(f".register_{stamp}.tmp")
    (landing / "unit" / f".register_{stamp}.tmp").unlink()  # a dangling link: nothing to follow
    record(target, "register", "symlink")
    return records


def write_duplicate_delivery(ctx: ExportContext, rel: str) -> dict:
    """The same bytes delivered again under another name, an hour later (mess item 10)."""
    src = ctx.landing / rel
    dst = src.with_name(f"{src.stem}(重发){src.suffix}")
    shutil.copyfile(src, dst)
    arrival = pd.Timestamp(src.stat().st_mtime, unit="s") + pd.Timedelta(hours=1)
    set_arrival(dst, arrival)
    return {"file": dst.relative_to(ctx.landing).as_posix(), "arrival_utc": arrival.strftime("%Y-%m-%d %H:%M:%S"),
            "fault": "same_bytes_as:" + rel, "expected": "duplicate"}
