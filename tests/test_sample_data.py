"""Tests of the sample-data generator (sample_data/): kinds, formats, mess, truth, determinism."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from stdnum.cn import ric

from sample_data import exports, ledgers, writers
from sample_data import mess as injector
from sample_data import truth as sink
from sample_data.generate import generate
from sample_data.idcard import check_chars, to_legacy15
from sample_data.kinds import KINDS
from sample_data.mess import ITEMS, UNDECODABLE


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate(out, scale="small", seed=7, faults=True)
    return out


def read_rows(path: Path, encoding: str) -> list[list[str]]:
    """A file's records as a person sees them (1-based row n = element n-1)."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        ws = wb.worksheets[-1]
        return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    text = path.read_bytes().decode(encoding, errors="replace")
    return list(csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"))))


def test_gb11643_check_characters_agree_with_stdnum_and_the_standard():
    assert check_chars(np.array(["11010519491231002"]))[0] == "X"
    rng = np.random.default_rng(1)
    first17 = np.array(["".join(map(str, rng.integers(0, 10, 17))) for _ in range(200)])
    ours = check_chars(first17)
    assert all(ric.calc_check_digit(f + c) == c for f, c in zip(first17, ours))
    assert to_legacy15("130503196704010016") == "130503670401001"


def test_every_kind_format_and_encoding_is_produced(city):
    files = pd.read_csv(city / "truth" / "files.csv", keep_default_na=False)
    loaded = files[files["expected"] == "load"]
    assert set(loaded["kind"]) == set(KINDS)
    assert {"csv", "xlsx"} <= set(loaded["format"])
    assert {"gbk", "gb18030", "utf-8", "utf-8-sig"} <= set(loaded["encoding"])
    assert (loaded.loc[loaded["format"] == "xlsx", "title_rows"] > 0).any()
    assert {"name", "title", "none"} <= set(loaded["date_stated_in"])
    faults = set(files["fault"]) - {""}
    for fault in ("empty", "header_only", "title_only", "truncated", "required_column_missing", "unsupported_xls",
                  "unsupported_docx", "unsupported_zip", "csv_is_xlsx", "xlsx_is_text", "symlink"):
        assert fault in faults
    assert (files["expected"] == "duplicate").sum() == 1
    for rel in files["file"]:
        path = city / "landing" / rel
        assert path.is_symlink() or path.is_file(), rel


def test_every_mess_item_appears_and_truth_says_where(city):
    mess = pd.read_parquet(city / "truth" / "mess.parquet")
    assert {i.code for i in ITEMS} | {UNDECODABLE.code} <= set(mess["code"])
    files = pd.read_csv(city / "truth" / "files.csv", keep_default_na=False).set_index("file")
    checked = 0
    # The written value sits at the stated row, in the stated column, of the stated file.
    sample = mess[(mess["column"] != "") & ~mess["code"].isin(["excel_serial", "id_as_number"])]
    for rec in sample.groupby("code").head(3).itertuples():
        meta = files.loc[rec.file]
        rows = read_rows(city / "landing" / rec.file, meta["encoding"] or "utf-8")
        header_row = meta["title_rows"] + 1
        header = [h.strip().rstrip("*").replace("\n", "").replace("（", "(").replace("）", ")") for h in rows[header_row - 1]]
        column = rec.column.replace("（", "(").replace("）", ")")
        col = next(i for i, h in enumerate(header) if h.startswith(column))
        seen = rows[rec.row - 1][col]
        if meta["format"] == "xlsx" and NUMBER.match(seen) and NUMBER.match(rec.written):
            assert float(seen) == float(rec.written), (rec.file, rec.row, rec.code)  # a number cell: 2000.00 reads 2000
        else:
            assert seen == rec.written, (rec.file, rec.row, rec.code)
        checked += 1
    assert checked > 20
    rows = pd.read_parquet(city / "truth" / "rows.parquet")
    marked = rows[rows["mess"] != ""]
    assert set(marked["outcome"]) >= {"reject", "normalise", "unmatched", "dedupe", "warn_null", "correct"}
    assert rows["superseded"].any()


def test_truth_rows_point_at_the_right_record(city):
    rows = pd.read_parquet(city / "truth" / "rows.parquet")
    persons = pd.read_parquet(city / "truth" / "world" / "persons.parquet").set_index("person_id")
    households = pd.read_parquet(city / "truth" / "world" / "households.parquet").set_index("household_id")
    files = pd.read_csv(city / "truth" / "files.csv", keep_default_na=False).set_index("file")
    for fmt in ("xlsx", "csv"):
        rel = files[(files["kind"] == "roster") & (files["format"] == fmt)].index[0]
        meta = files.loc[rel]
        sheet = read_rows(city / "landing" / rel, meta["encoding"] or "utf-8")
        header = [h.strip().rstrip("*") for h in sheet[meta["title_rows"]]]
        col = header.index("户编号")
        truth = rows[(rows["file"] == rel) & (rows["mess"] == "")].head(50)
        for r in truth.itertuples():
            expected = households.loc[persons.loc[r.person_id, "household_id"], "household_no"]
            assert sheet[r.row - 1][col] == expected


def test_one_estates_indicators_recomputed_by_hand(city):
    world = city / "truth" / "world"
    card = pd.read_parquet(city / "truth" / "indicators" / "scorecard.parquet")
    month = pd.Timestamp("2026-10-01")
    month_end = pd.Timestamp("2026-10-31 23:59:59")
    row = card[card["month"] == month].sort_values("estate_code").iloc[0]
    estate = row["estate_code"]

    surveys = pd.read_parquet(world / "surveys.parquet")
    s = surveys[(surveys["estate_code"] == estate) & surveys["month"].isin(["2026-08", "2026-09", "2026-10"])]
    assert row["satisfaction_rate"] == pytest.approx((s["answer"] <= 1).mean())

    fees = pd.read_parquet(world / "fees.parquet")
    f = fees[(fees["estate_code"] == estate) & (fees["billing_month"] >= "2025-11") & (fees["billing_month"] <= "2026-10")]
    collected = sum(due - waiver for due, waiver, paid in zip(f["due"], f["waiver"], f["paid_date"])
                    if pd.notna(paid) and paid <= month_end)
    assert row["fee_collection_rate"] == pytest.approx(collected / (f["due"] - f["waiver"]).sum())

    complaints = pd.read_parquet(world / "complaints.parquet")
    c = complaints[(complaints["estate_code"] == estate) & complaints["dispute"] & (complaints["final"] == "已办结")
                   & (complaints["close"] >= pd.Timestamp("2026-08-01")) & (complaints["close"] <= month_end)]
    if len(c):
        assert row["mediation_rate"] == pytest.approx((c["result"] == "调解成功").mean())
    else:
        assert pd.isna(row["mediation_rate"])

    services = pd.read_parquet(world / "services.parquet")
    sv = services[services["estate_code"] == estate].set_index("type")["distance"]
    met = sum(sv.get(t, 10**9) <= limit for t, limit in
              [("小学", 1000), ("幼儿园", 1000), ("社区卫生服务中心", 1000), ("公交站点", 500), ("菜市场", 1000)])
    facilities = pd.read_parquet(world / "facilities.parquet")
    from sample_data.amenities import facility_status  # the status draw the 2026-10-31 snapshot printed
    fa = facilities[(facilities["estate_code"] == estate) & (facilities["type"] == "养老服务站")]
    station_ok = (facility_status(fa, pd.Timestamp("2026-10-31")) == "正常").any() if len(fa) else False
    elderly = station_ok or sv.get("养老服务设施", 10**9) <= 1000
    assert row["service_rate"] == pytest.approx((met + elderly) / 6)

    weights = {"satisfaction": (30, 0.85), "mediation": (20, 0.90), "fund_collection": (15, 0.80),
               "fee_collection": (15, 0.75), "participation": (10, 0.50), "service": (10, 0.90)}
    parts = [(w, 100 * min(1, row[f"{k}_rate"] / t)) for k, (w, t) in weights.items() if pd.notna(row[f"{k}_rate"])]
    total = sum(w * s for w, s in parts) / sum(w for w, _ in parts)
    assert row["total_score"] == pytest.approx(float(f"{total + 1e-9:.1f}"), abs=0.051)
    assert row["grade"] == ("优秀" if row["total_score"] >= 80 else "合格" if row["total_score"] >= 60 else "不合格")
    same = card[(card["month"] == month) & (card["district_code"] == row["district_code"])]
    assert row["district_rank"] == 1 + (same["total_score"] > row["total_score"]).sum()


def digest(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            out[p.relative_to(root).as_posix()] = "link:" + str(p.readlink())
        elif p.is_file():
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime)
    return out


def test_same_seed_is_byte_identical_and_another_seed_is_another_city(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(tmp_path / name, scale="small", seed=seed, months=3, faults=True)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    estates_a = pd.read_parquet(tmp_path / "a" / "truth" / "world" / "estates.parquet")
    estates_c = pd.read_parquet(tmp_path / "c" / "truth" / "world" / "estates.parquet")
    assert list(estates_a["estate_name"]) != list(estates_c["estate_name"])
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_writing_in_chunks_writes_the_same_bytes(tmp_path, monkeypatch):
    """At province scale every big file is rendered, messed up and written a chunk of rows at a time, and
    the ledgers and world tables are drawn and written in chunks. With chunks of a few hundred rows a small
    city must come out as it does in one piece: the same bytes, the same truth."""
    generate(tmp_path / "whole", scale="small", seed=5, months=3)
    for module, name, rows in ((exports, "EXPORT_CHUNK", 700), (writers, "CSV_CHUNK", 300), (injector, "PLAN_CHUNK", 40),
                               (sink, "TABLE_CHUNK", 500), (ledgers, "DRAW_CHUNK", 900)):
        monkeypatch.setattr(module, name, rows)
    generate(tmp_path / "chunks", scale="small", seed=5, months=3)

    files = pd.read_csv(tmp_path / "chunks" / "truth" / "files.csv", keep_default_na=False)
    chunked = files[(files["format"] == "csv") & (files["data_rows"] > 700)]
    assert len(chunked) and (chunked["encoding"] == "gbk").any()  # the chunked path ran, undecodable bytes included
    landing = {name: d for name, d in digest(tmp_path / "whole").items() if name.startswith("landing/")}
    assert landing == {name: d for name, d in digest(tmp_path / "chunks").items() if name.startswith("landing/")}
    tables = lambda root: sorted(p.relative_to(root).as_posix() for p in (root / "truth").rglob("*.parquet"))
    assert tables(tmp_path / "whole") == tables(tmp_path / "chunks")
    for name in tables(tmp_path / "whole"):
        whole, chunks = (pd.read_parquet(tmp_path / run / name) for run in ("whole", "chunks"))
        if name == "truth/mess.parquet":  # a chunk's records come together, so the order within a file differs
            whole, chunks = (t.sort_values(list(t.columns), ignore_index=True) for t in (whole, chunks))
        pd.testing.assert_frame_equal(whole, chunks, obj=name)
    assert (tmp_path / "whole" / "truth" / "files.csv").read_bytes() == (tmp_path / "chunks" / "truth" / "files.csv").read_bytes()


def test_truth_follows_exports_md_where_the_generator_once_did_not(city):
    files = pd.read_csv(city / "truth" / "files.csv", keep_default_na=False)
    # A regular export always has rows; the only header-only files are whole-file faults, quarantined.
    assert (files.loc[files["fault"] == "", "data_rows"] > 0).all()
    assert (files.loc[files["fault"] == "header_only", "expected"] == "quarantine").all()
    mess = pd.read_parquet(city / "truth" / "mess.parquet")
    # A non-blank invalid 参与人身份证号码 rejects the row (it is part of the key).
    invalid = mess[(mess["kind"] == "participation") & (mess["column"] == "参与人身份证号码")
                   & mess["code"].isin(["id_bad_check", "id_bad_length", "id_as_number"])]
    assert len(invalid) and (invalid["outcome"] == "reject").all()
    assert "未分配" not in set(mess["written"])  # ambiguous: 待分配 or 空置
    for code in ("phone_landline", "nul_byte", "inner_bom", "formula_cell"):
        assert (mess.loc[mess["code"] == code, "outcome"] == "normalise").all()
    # Rows the truth calls clean hold a 物业服务评分 of 1–5, superseded ones included.
    rows = pd.read_parquet(city / "truth" / "rows.parquet")
    survey_files = files[(files["kind"] == "surveys") & (files["format"] == "csv") & (files["fault"] == "")]
    checked = 0
    for meta in survey_files.itertuples():
        sheet = read_rows(city / "landing" / meta.file, meta.encoding)
        header = [h.strip().rstrip("*") for h in sheet[0]]
        col = header.index("物业服务评分")
        clean_rows = rows.loc[(rows["file"] == meta.file) & (rows["outcome"] == "load"), "row"]
        for r in clean_rows:
            assert sheet[r - 1][col] in {"1", "2", "3", "4", "5"}, (meta.file, r)
            checked += 1
    assert checked > 100
