"""One export file: how a department lays it out, names it and dates it, and what lands in the truth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import fast
from .kinds import Column, Kind
from .mess import UNDECODABLE, MessInjector
from .truth import TruthSink
from .writers import CsvFile, Layout, set_arrival, write_xlsx

ENCODINGS = ["gbk", "gb18030", "utf-8", "utf-8-sig"]
ENCODING_P = [0.35, 0.15, 0.25, 0.25]
EXTRA_COLUMNS = ["经办人", "录入时间", "数据来源", "核查情况"]
DEPARTMENT = {"household": "区征收安置办", "unit": "市房管局", "fund": "市维修资金中心",
              "complaint": "12345热线", "facility": "市城管局", "engagement": "街道办"}
OUTCOME_ORDER = ["reject", "unmatched", "warn_null", "correct", "dedupe", "link", "normalise"]
NUMBER_ROLES = ("amount", "area", "int", "float")


@dataclass
class ExportContext:
    landing: Path
    sink: TruthSink
    injector: MessInjector
    xlsx_max_rows: int
    city_name: str


def header_spelling(col: Column, fmt: str, star_required: bool, rng: np.random.Generator) -> str:
    """How this file spells a column header: brackets, units, a `*`, spaces, a line break."""
    name = col.name
    if rng.random() < 0.3:
        name = name.replace("（", "(").replace("）", ")") if "（" in name else name.replace("(", "（").replace(")", "）")
    if col.role == "area" and "（" not in name and "(" not in name and rng.random() < 0.5:
        name += "(㎡)"
    if col.role == "amount" and "元" not in name and rng.random() < 0.5:
        name += "（元）"
    if star_required and col.required:
        name += "*"
    if fmt == "xlsx" and len(name) >= 4 and rng.random() < 0.08:
        cut = len(name) // 2
        name = name[:cut] + "\n" + name[cut:]
    if rng.random() < 0.05:
        name = f" {name} "
    return name


def date_text(ts: pd.Timestamp, style: int) -> str:
    return [ts.strftime("%Y%m%d"), ts.strftime("%Y-%m-%d"), f"{ts.year}年{ts.month}月{ts.day}日",
            f"截至{ts.year}年{ts.month}月"][style]


def ledger_period_text(start: pd.Timestamp, end: pd.Timestamp, style: int) -> str:
    return [end.strftime("%Y%m%d"), f"{start:%Y%m%d}-{end:%Y%m%d}", f"{end.year}年{end.month}月", end.strftime("%Y%m"),
            f"截至{end.year}年{end.month}月{end.day}日"][style]


def choose_layout(n_rows: int, kind: Kind, ctx: ExportContext, rng: np.random.Generator) -> Layout:
    xlsx_share = 0.4 if n_rows <= 300 else 0.04  # XLSX writing is slow: big files are mostly CSV, as in life
    if n_rows <= ctx.xlsx_max_rows and rng.random() < xlsx_share:
        blanks = sorted(rng.choice(n_rows, size=min(n_rows, rng.integers(0, 3)), replace=False).tolist()) if n_rows else []
        return Layout("xlsx", number_columns=tuple(c.name for c in kind.columns if c.role in NUMBER_ROLES),
                      merge_titles=rng.random() < 0.5, notes_sheet_first=rng.random() < 0.15,
                      blank_rows_after=blanks, totals_row=rng.random() < 0.3)
    return Layout("csv", encoding=str(rng.choice(ENCODINGS, p=ENCODING_P)),
                  line_end=str(rng.choice(["\r\n", "\n", "\r"], p=[0.6, 0.35, 0.05])))


@dataclass
class Rows:
    """The clean rows of one export, rendered on demand: `render(positions)` gives, for those rows of the
    file (0-based, ascending), the kind's columns and the truth columns `_estate`, `_dwelling`, `_person`
    and, for ledgers, `_key`. A file of millions of rows is then written a chunk at a time."""
    n: int
    render: Callable[[np.ndarray], pd.DataFrame]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> "Rows":
        return cls(len(frame), lambda positions: frame.iloc[positions])


EXPORT_CHUNK = 1 << 20  # rows rendered, messed up and written at a time


def write_export(ctx: ExportContext, kind: Kind, clean: Rows | pd.DataFrame, as_of: pd.Timestamp,
                 period_start: pd.Timestamp | None, rng: np.random.Generator, file_no: int,
                 superseded: np.ndarray | None = None) -> dict | None:
    """Write `clean` (kind columns + truth columns) as one messy export; record its truth. Returns the file record.

    Nothing is written for no rows: a department with nothing to report sends no file (a header-only
    file is a whole-file fault, EXPORTS.md item 13, written only by faults.py).
    """
    rows = clean if isinstance(clean, Rows) else Rows.of(clean)
    n_clean = rows.n
    if n_clean == 0:
        return None
    layout = choose_layout(n_clean, kind, ctx, rng)
    star = rng.random() < 0.3
    columns = list(kind.columns)
    if rng.random() < 0.3:  # departments reorder columns between exports
        i, j = rng.choice(len(columns), size=2, replace=False)
        columns[i], columns[j] = columns[j], columns[i]
    header = [header_spelling(c, layout.fmt, star, rng) for c in columns]
    plan = ctx.injector.plan(n_clean, kind, layout.fmt, layout.encoding,
                             lambda positions: {name: fast.arrow(col).to_pylist()
                                                for name, col in rows.render(positions)[kind.names].items()})
    n = n_clean + len(plan.duplicates)
    out_names = [c.name for c in columns]
    extra = None
    if rng.random() < 0.15:  # an unknown extra column the raw layer must keep
        extra = str(rng.choice(EXTRA_COLUMNS))
        filled = below(rng, n, 0.7)
        out_names.append(extra)
        header = header + [extra]

    # Where the date is stated: in the name (usually), in a title row (XLSX), or nowhere (arrival time).
    where = rng.choice(["name", "title", "none"], p=[0.75, 0.2, 0.05] if layout.fmt == "xlsx" else [0.95, 0.0, 0.05])
    if kind.mode == "S":
        stated = date_text(as_of, int(rng.integers(4)))
    else:
        stated = ledger_period_text(period_start if period_start is not None else as_of, as_of, int(rng.integers(5)))
    if stated.startswith("截至") and kind.mode == "S" and as_of != as_of + pd.offsets.MonthEnd(0):
        stated = date_text(as_of, 0)  # "截至YYYY年M月" only says the month: use it for month-end as-ofs only
    department = DEPARTMENT[kind.source]
    if layout.fmt == "xlsx":
        layout.title_rows = [f"{ctx.city_name}{kind.title}"]
        unit_line = f"填报单位：{department}"
        if where == "title":
            unit_line += f"    {'截至' if not stated.startswith('截至') else ''}{stated}"
        if rng.random() < 0.7 or where == "title":
            layout.title_rows.append(unit_line)
        if rng.random() < 0.2:
            layout.title_rows.append("（单位：元、平方米）")
    name_date = stated if where == "name" else ""
    if where == "name" and rng.random() < 0.4:
        base = f"{kind.title}({name_date})"
    elif where == "name":
        base = f"{department}{kind.title}_{name_date}"
    else:
        base = f"{department}{kind.title}"
    base = f"{base}_{file_no:03d}" if where != "name" else base
    ext = layout.fmt
    rel = Path(kind.source) / f"{base}.{ext}"
    path = ctx.landing / rel
    if path.exists():  # two files of one kind may state the same date
        rel = Path(kind.source) / f"{base}_{file_no:03d}.{ext}"
        path = ctx.landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    file_name = rel.as_posix()
    superseded = np.zeros(n_clean, dtype=bool) if superseded is None else np.asarray(superseded, dtype=bool)

    def chunk(start: int, stop: int) -> tuple[pd.DataFrame, list[pa.Array], np.ndarray | None, list[dict]]:
        """Clean rows [start, stop) rendered and messed up: their frame, output columns, order and records."""
        frame = rows.render(np.arange(start, stop))
        cols, order, records = plan.apply({c.name: fast.arrow(frame[c.name]) for c in kind.columns}, start)
        out = [cols[c.name] for c in columns]
        if extra is not None:
            first = int(plan.output_position(start))
            out.append(fast.where(filled[first:first + len(out[0])], "系统导入", ""))
        return frame, out, order, records

    encoding = layout.encoding
    if layout.fmt == "xlsx":  # XLSX files are small (xlsx_max_rows): one piece
        frame, out, order, records = chunk(0, n_clean)
        number_cells = {(r["pos"], out_names.index(r["column"])) for r in records
                        if r["code"] in ("excel_serial", "id_as_number")}
        formula_cells = {(r["pos"], out_names.index(r["column"])): float(r["clean"]) for r in records
                         if r["code"] == "formula_cell"}
        table = pd.DataFrame(dict(zip(range(len(out)), (c.to_pylist() for c in out))))
        table.columns = out_names
        row_numbers = write_xlsx(path, header, table, layout, number_cells, formula_cells)
        add_truth(ctx.sink, file_name, kind, frame, order, superseded[:n_clean], row_numbers, records)
        encoding = ""
    else:
        corrupt = ctx.injector.undecodable_rows(n) if encoding == "gbk" else np.array([], dtype=np.int64)
        csv = CsvFile(path, header, layout)
        for start in range(0, n_clean, EXPORT_CHUNK):
            stop = min(start + EXPORT_CHUNK, n_clean)
            frame, out, order, records = chunk(start, stop)
            first = int(plan.output_position(start))
            here = corrupt[(corrupt >= first) & (corrupt < first + len(out[0]))] - first
            for pos in (csv.write(out, here) + first).tolist():
                records.append({"pos": pos, "column": "", "item": UNDECODABLE.number, "code": UNDECODABLE.code,
                                "outcome": UNDECODABLE.outcome, "clean": "", "written": "\\xff"})
            row_numbers = np.arange(first, first + len(out[0])) + 2  # CSV record numbers, the header being 1
            add_truth(ctx.sink, file_name, kind, frame, order, superseded[start:stop], row_numbers, records, first)
        csv.close()
        encoding = csv.encoding
    arrival = as_of.normalize() + pd.Timedelta(hours=12)  # 20:00 Beijing time, same calendar day
    set_arrival(path, arrival)
    ctx.sink.add_file({
        "file": file_name, "source": kind.source, "kind": kind.code, "format": layout.fmt, "encoding": encoding,
        "date": as_of.strftime("%Y-%m-%d"), "period_start": "" if period_start is None else period_start.strftime("%Y-%m-%d"),
        "date_stated_in": str(where), "title_rows": len(layout.title_rows), "data_rows": n,
        "arrival_utc": arrival.strftime("%Y-%m-%d %H:%M:%S"), "fault": "", "expected": "load",
    })
    return {"file": file_name, "rows": n}


def add_truth(sink: TruthSink, file_name: str, kind: Kind, frame: pd.DataFrame, order: np.ndarray | None,
              superseded: np.ndarray, row_numbers: np.ndarray, records: list[dict], first: int = 0) -> None:
    """rows.parquet and mess.parquet for one written chunk: `frame` its clean rows, `order` their order once
    duplicated (None: as is), `first` the output position of its first row, records' `pos` output positions."""
    n = len(frame) if order is None else len(order)
    take = (lambda a: a) if order is None else (lambda a: a[order])
    estate = fast.arrow(frame["_estate"])
    ints = lambda v: np.broadcast_to(np.asarray(v, dtype=np.int64), (len(frame),))
    keys = fast.arrow(frame["_key"]) if "_key" in frame else None
    mess = pd.DataFrame(records, columns=["pos", "column", "item", "code", "outcome", "clean", "written"])
    mess_col, outcome_col = constant("", n), constant("load", n)
    if len(mess):
        mess["file"] = file_name
        mess["kind"] = kind.code
        mess["row"] = row_numbers[mess["pos"].to_numpy() - first]
        # A row's items, worst outcome first (a row has two when an undecodable byte hits a messed-up row).
        rank = mess["outcome"].map({o: i for i, o in enumerate(OUTCOME_ORDER)}).to_numpy()
        worst_first = np.lexsort((rank, mess["pos"].to_numpy()))
        pos = mess["pos"].to_numpy()[worst_first] - first
        codes, outcomes = mess["code"].to_numpy()[worst_first], mess["outcome"].to_numpy()[worst_first]
        starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
        ends = np.r_[starts[1:], len(pos)]
        joined = codes[starts].copy()
        for g in np.flatnonzero(ends - starts > 1):
            joined[g] = ";".join(codes[starts[g]:ends[g]])
        mask = np.zeros(n, dtype=bool)
        mask[pos] = True
        mess_col = pc.replace_with_mask(mess_col, pa.array(mask), pa.array(joined, pa.string()))
        outcome_col = pc.replace_with_mask(outcome_col, pa.array(mask), pa.array(outcomes[starts], pa.string()))
    sink.add_rows(pa.table({
        "file": constant(file_name, n), "row": pa.array(row_numbers, pa.int64()), "kind": constant(kind.code, n),
        "estate_code": estate if order is None else estate.take(pa.array(order)),
        "dwelling_id": pa.array(take(ints(frame["_dwelling"]))), "person_id": pa.array(take(ints(frame["_person"]))),
        "record_key": (keys if order is None else keys.take(pa.array(order))) if keys is not None else constant("", n),
        "mess": mess_col, "outcome": outcome_col,
        "superseded": pa.array(take(superseded)),
    }), mess)


def below(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """rng.random(n) < p, drawn a chunk at a time (the same numbers, without n floats in memory)."""
    out = np.empty(n, dtype=bool)
    for start in range(0, n, EXPORT_CHUNK):
        out[start:start + EXPORT_CHUNK] = rng.random(min(EXPORT_CHUNK, n - start)) < p
    return out


def constant(text: str, n: int) -> pa.Array:
    """One string repeated n times, without n Python references."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([text])).cast(pa.string())
