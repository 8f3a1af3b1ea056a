"""Row-level mess of EXPORTS.md's catalogue, injected into clean rows and recorded cell by cell.

Each item knows the column roles it can hit and the outcome a correct pipeline owes it:
normalise (the meaning is certain), reject (the row), warn_null (an optional field set to null),
correct (a future birth date corrected from the ID), dedupe, unmatched (loads, estate unknown),
link (loads; identity linkage must look past it).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from . import fast
from .idcard import to_legacy15
from .kinds import CATEGORY_SYNONYMS, REJECT_INVALID, Kind
from .names import chinese_number, homophone_variant

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
NBSP = "\u00a0"
UNREGISTERED_ESTATES = ["金港安置点", "东湖还建临时安置区", "新河棚改过渡房", "未登记安置小区"]
DWELLING = re.compile(r"^(\d+)栋(\d+)单元(\d+)室?$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Item:
    code: str
    number: int  # position in EXPORTS.md's mess catalogue
    roles: tuple[str, ...]
    outcome: str  # for a required column; optional columns get `optional_outcome`
    optional_outcome: str | None = None
    kinds: tuple[str, ...] = ()  # empty: every kind
    xlsx_only: bool = False
    csv_only: bool = False
    encodings: tuple[str, ...] = ()  # CSV encodings the item can be written in; empty: any
    rare: bool = False  # drawn a fifth as often as the others


ITEMS = [
    Item("fullwidth", 2, ("id", "phone", "dwelling", "building", "room", "date", "amount", "area", "int"), "normalise"),
    Item("stray_spaces", 2, ("name", "estate", "text", "category", "id", "phone"), "normalise"),
    Item("leading_apostrophe", 2, ("id", "phone"), "normalise", csv_only=True),
    Item("id_as_number", 2, ("id",), "reject", "warn_null"),
    Item("date_format", 3, ("date", "datetime", "month"), "normalise"),
    Item("excel_serial", 3, ("date",), "normalise", xlsx_only=True),
    Item("amount_format", 4, ("amount",), "normalise"),
    Item("area_format", 5, ("area",), "normalise"),
    Item("address_variant", 6, ("dwelling", "building", "entrance"), "normalise"),
    Item("estate_alias", 7, ("estate",), "normalise"),
    Item("estate_prefixed", 7, ("estate",), "normalise"),
    Item("id_legacy15", 8, ("id",), "normalise"),
    Item("id_lowercase_x", 8, ("id",), "normalise"),
    Item("id_bad_check", 8, ("id",), "reject", "warn_null"),
    Item("id_bad_length", 8, ("id",), "reject", "warn_null"),
    Item("id_blank", 8, ("id",), "reject", kinds=("roster",)),
    Item("name_homophone", 8, ("name",), "link", kinds=("units", "participation")),
    Item("phone_format", 9, ("phone",), "normalise"),
    Item("phone_unusable", 9, ("phone",), "warn_null", kinds=("roster", "complaints")),
    Item("duplicate_row", 10, ("*",), "dedupe"),
    Item("category_synonym", 11, ("category",), "normalise"),
    Item("future_birth", 12, ("date",), "correct", kinds=("roster",)),
    Item("closed_before_call", 12, ("datetime",), "reject", kinds=("complaints",)),
    Item("overpaid_no_note", 12, ("amount",), "reject", kinds=("deposits",)),
    Item("impossible_area", 12, ("area",), "reject", "warn_null", kinds=("units", "deposits")),
    Item("unregistered_estate", 12, ("estate",), "unmatched", kinds=("roster", "units", "fees", "surveys", "repairs")),
    # A landline instead of a mobile (027-8888 6666): loads as 027-88886666 (`clean` holds that form).
    # Only where no key or linkage uses the phone.
    Item("phone_landline", 9, ("phone",), "normalise", kinds=("complaints",)),
    # Limits and edge cases: removed by the reader, the row loads with a warning.
    Item("nul_byte", 0, ("name", "text", "estate"), "normalise", csv_only=True, rare=True),
    Item("inner_bom", 0, ("name", "text", "estate", "id", "date", "category"), "normalise", csv_only=True,
         encodings=("utf-8", "utf-8-sig", "gb18030"), rare=True),
    # An XLSX formula cell with a cached value: loads the cached value (`written` is the formula).
    Item("formula_cell", 0, ("amount", "area", "int"), "normalise", xlsx_only=True),
]
UNDECODABLE = Item("undecodable_bytes", 1, ("*",), "reject")


@dataclass
class EstateNames:
    """What a department might write instead of an estate's register name."""
    aliases: dict[str, list[str]]
    prefixes: dict[str, list[str]]  # district / street names to prefix


def excel_serial(date_text: str) -> str:
    return str((pd.Timestamp(date_text) - pd.Timestamp("1899-12-30")).days)


def formula_for(value: str, role: str) -> str | None:
    """A formula whose result is `value` (kept as the cell's cached value)."""
    if not NUMBER.match(value):
        return None
    if role == "int" or "." not in value:
        v = int(value)
        return f"={v // 2}+{v - v // 2}"
    cents = round(float(value) * 100)
    half = cents // 2
    return f"=ROUND({half / 100:.2f}+{(cents - half) / 100:.2f},2)"


def date_variant(value: str, role: str, rng: np.random.Generator) -> str | None:
    if role == "month":
        y, m = value.split("-")
        return [f"{y}年{int(m)}月", f"{y}{m}"][rng.integers(2)]
    ts = pd.Timestamp(value)
    d = f"{ts.year}-{ts.month:02d}-{ts.day:02d}"
    if role == "datetime":
        return [ts.strftime("%Y-%m-%d %H:%M"), f"{ts.year}/{ts.month}/{ts.day} {ts:%H:%M:%S}", f"{ts.year}/{ts.month}/{ts.day} {ts:%H:%M}"][rng.integers(3)]
    options = [f"{ts.year}/{ts.month}/{ts.day}", f"{ts.year}.{ts.month}.{ts.day}", d.replace("-", ""), f"{ts.year}年{ts.month}月{ts.day}日"]
    return options[rng.integers(len(options))]


def dwelling_variant(value: str, role: str, rng: np.random.Generator) -> str | None:
    if role == "building":
        n = int(value)
        return [f"{n}栋", f"{chinese_number(n)}栋", f"{n}号楼", f"{n}幢"][rng.integers(4)]
    if role == "entrance":
        n = int(value)
        return [f"{n}单元", f"{chinese_number(n)}单元"][rng.integers(2)]
    m = DWELLING.match(value)
    if not m:
        return None
    b, e, r = (int(x) for x in m.groups())
    options = [f"{chinese_number(b)}号楼{chinese_number(e)}单元{r}室", f"{b}幢{e}单元{r}室", f"{b}#{e}-{r}",
               f"{b}-{e}-{r}", f"{b}号楼{e}单元{r:04d}", f"{b}栋{e}单元{r}"]
    return options[rng.integers(len(options))]


ROW_ITEMS = {"closed_before_call", "overpaid_no_note"}  # items that look at other cells of the row
PLAN_CHUNK = 100_000  # chosen rows whose clean values are held as Python strings at a time


@dataclass
class MessPlan:
    """The mess of one file: changed cells, their records and duplicated rows, by clean row position."""
    changes: dict[str, tuple[np.ndarray, list[str]]]  # column → (positions, ascending; values written there)
    records: list[dict]  # one per changed cell, ascending `pos`
    duplicates: np.ndarray  # positions of rows sent twice, ascending

    def __post_init__(self):
        self.record_pos = np.fromiter((r["pos"] for r in self.records), dtype=np.int64, count=len(self.records))

    @classmethod
    def nothing(cls) -> "MessPlan":
        return cls({}, [], np.array([], dtype=np.int64))

    def output_position(self, clean_pos):
        """Where a clean row lands once the duplicates before it are counted (each right after its original)."""
        return clean_pos + np.searchsorted(self.duplicates, clean_pos, side="left")

    def apply(self, cols: dict[str, pa.Array], start: int) -> tuple[dict[str, pa.Array], np.ndarray | None, list[dict]]:
        """Mess up the chunk of clean rows [start, start + len): the new columns, the chunk's row order when
        rows were duplicated (indices into the chunk; None otherwise) and its records, `pos` now the
        file's final row position."""
        n = len(next(iter(cols.values())))
        stop = start + n
        dups = self.duplicates[(self.duplicates >= start) & (self.duplicates < stop)]
        order = np.sort(np.concatenate([np.arange(n), dups - start]), kind="stable") if len(dups) else None
        cols = dict(cols)
        for name, column in list(cols.items()):  # one take per column: the written values appended, duplicates repeated
            positions, values = self.changes.get(name, (np.array([], dtype=np.int64), []))
            lo, hi = np.searchsorted(positions, [start, stop])
            if hi == lo and order is None:
                continue
            column = fast.arrow(column)
            index = np.arange(n)
            if hi > lo:
                index[positions[lo:hi] - start] = n + np.arange(hi - lo)
                column = pa.concat_arrays([column, pa.array(values[lo:hi], type=fast.STR)])
            cols[name] = column.take(pa.array(index if order is None else index[order]))
        lo, hi = np.searchsorted(self.record_pos, [start, stop])
        records = [{**r, "pos": pos} for r, pos in zip(self.records[lo:hi], self.output_position(self.record_pos[lo:hi]).tolist())]
        for d in dups.tolist():
            records.append({"pos": int(self.output_position(d)) + 1, "column": "", "item": 10, "code": "duplicate_row",
                            "outcome": "dedupe", "clean": "", "written": ""})
        return cols, order, records


class PyRng:
    """The few scalar draws of `transform`, from Python's generator (seeded from numpy's)."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.below = self.r._randbelow  # what randrange(low, high) draws, without its argument checks (millions of calls)

    def integers(self, low: int, high: int | None = None) -> int:
        if high is None:
            low, high = 0, low
        return int(low) + self.below(int(high) - int(low))

    def random(self) -> float:
        return self.r.random()


class MessInjector:
    def __init__(self, names: EstateNames, rate: float, rng: np.random.Generator):
        self.names = names
        self.rate = rate
        self.rng = rng

    def transform(self, item: Item, value: str, role: str, row: dict[str, str], kind: Kind, encoding: str,
                  rng: "PyRng") -> str | None:
        """The messy value, or None when the item cannot apply to this value."""
        code = item.code
        if value == "" and code not in ("duplicate_row",):
            return None
        if code == "fullwidth":
            return value.translate(FULL_WIDTH) if re.search(r"[0-9A-Za-z]", value) else None
        if code == "stray_spaces":
            pad = NBSP if encoding in ("utf-8", "utf-8-sig", "gb18030", "xlsx") and rng.random() < 0.5 else " "
            return [f" {value}", f"{value} ", f"{pad}{value}{pad}", f"  {value}  "][rng.integers(4)]
        if code == "leading_apostrophe":
            return "'" + value if value.isdigit() or value[:-1].isdigit() else None
        if code == "id_as_number":
            return f"{float(value):.5E}" if value.isdigit() else None
        if code == "date_format":
            return date_variant(value, role, rng)
        if code == "excel_serial":
            return excel_serial(value)
        if code == "amount_format":
            v = float(value)
            return [f"{v:,.2f}", f"{v:g}元", f"￥{v:.2f}"][rng.integers(3)] if v >= 0 else None
        if code == "area_format":
            v = float(value)
            return [f"{v:.2f}㎡", f"{v:g}平方米", f"{v:g}㎡"][rng.integers(3)]
        if code == "address_variant":
            return dwelling_variant(value, role, rng)
        if code == "estate_alias":
            options = self.names.aliases.get(value)
            return options[rng.integers(len(options))] if options else None
        if code == "estate_prefixed":
            options = self.names.prefixes.get(value)
            return options[rng.integers(len(options))] + value if options else None
        if code == "id_legacy15":
            return to_legacy15(value) if value[6:8] == "19" else None
        if code == "id_lowercase_x":
            return value[:-1] + "x" if value.endswith("X") else None
        if code == "id_bad_check":
            wrong = [c for c in "0123456789X" if c != value[-1]]
            return value[:-1] + wrong[rng.integers(len(wrong))]
        if code == "id_bad_length":
            return value[:-1] if rng.random() < 0.5 else value + str(rng.integers(10))
        if code == "id_blank":
            return ""
        if code == "name_homophone":
            return homophone_variant(value) if "*" not in value else None
        if code == "phone_format":
            if not value.isdigit() or len(value) != 11:
                return None
            return [f"{value[:3]} {value[3:7]} {value[7:]}", f"+86 {value}", f"+86-{value}", f"{value[:3]}-{value[3:7]}-{value[7:]}"][rng.integers(4)]
        if code == "phone_unusable":
            return ["无", f"{value[:3]}****{value[7:]}", "/"][rng.integers(3)] if value.isdigit() else None
        if code == "category_synonym":
            options = CATEGORY_SYNONYMS.get(value)
            return options[rng.integers(len(options))] if options else None
        if code == "future_birth":
            return f"{2030 + rng.integers(0, 20)}{value[4:]}"
        if code == "closed_before_call":
            if row.get("办结时间", "") == "" or value != row["办结时间"]:
                return None
            return (pd.Timestamp(row["来电时间"]) - pd.Timedelta(hours=int(rng.integers(2, 72)))).strftime("%Y-%m-%d %H:%M:%S")
        if code == "overpaid_no_note":
            if value != row.get("实缴金额(元)") or row.get("备注") or float(row["应缴金额(元)"]) <= 0:
                return None
            return f"{float(row['应缴金额(元)']) * (1.2 + rng.random()):.2f}"
        if code == "impossible_area":
            return ["0", "2000", "0.00", "2000.00"][rng.integers(4)]
        if code == "unregistered_estate":
            return UNREGISTERED_ESTATES[rng.integers(len(UNREGISTERED_ESTATES))]
        if code == "phone_landline":
            local = f"{rng.integers(2, 10)}{rng.integers(0, 10**7):07d}"
            return [f"027-{local[:4]} {local[4:]}", f"027-{local}", f"(027){local}", f"027 {local[:4]} {local[4:]}"][rng.integers(4)]
        if code == "nul_byte":
            cut = int(rng.integers(1, len(value))) if len(value) > 1 else len(value)
            return value[:cut] + "\x00" + value[cut:]
        if code == "inner_bom":
            return "\ufeff" + value
        if code == "formula_cell":
            return formula_for(value, role)
        raise ValueError(code)

    def plan(self, n: int, kind: Kind, fmt: str, encoding: str,
             values_at: Callable[[np.ndarray], dict[str, list[str]]]) -> MessPlan:
        """Choose about `rate` of the `n` rows and one item each. Only the chosen rows are looked at
        (`values_at(positions)` gives their clean values per column), so a file of any size is planned
        without being rendered; `MessPlan.apply` then messes up each chunk as it is written.
        """
        if n == 0 or self.rate <= 0:
            return MessPlan.nothing()
        enc = "xlsx" if fmt == "xlsx" else encoding
        candidates = [
            (item, col) for item in ITEMS for col in kind.columns
            if (not item.kinds or kind.code in item.kinds)
            and (col.role in item.roles or item.roles == ("*",))
            and not (item.xlsx_only and fmt != "xlsx") and not (item.csv_only and fmt == "xlsx")
            and not (item.encodings and enc not in item.encodings)
            and (item.roles != ("*",) or col is kind.columns[0])
            and (item.code != "overpaid_no_note" or col.name == "实缴金额(元)")
            and (item.code != "closed_before_call" or col.name == "办结时间")
            and (item.code != "future_birth" or col.name == "出生日期")
            and (item.code != "impossible_area" or col.name in ("建筑面积（㎡）", "建筑面积"))
        ]
        by_item: dict[str, list] = {}
        for item, col in candidates:  # pick the item first, then its column, so no item drowns the rest
            by_item.setdefault(item.code, []).append((item, col))
        # Items that only one or two kinds can carry are drawn three times as often, so they show up at all.
        groups = [g for g in by_item.values() for _ in range(3 if g[0][0].kinds else 1)]
        positions = np.sort(self.rng.choice(n, size=self.rng.binomial(n, self.rate), replace=False))
        rng = PyRng(int(self.rng.integers(2**62)))  # scalar draws: a Python generator is 20× faster per call
        changed: dict[str, list[tuple[int, str]]] = {name: [] for name in kind.names}
        records: list[dict] = []
        duplicates = []
        for at in range(0, len(positions), PLAN_CHUNK):  # the chosen rows' values, a slice at a time
            chunk = positions[at:at + PLAN_CHUNK]
            values = values_at(chunk)
            for j, pos in enumerate(chunk.tolist()):
                for _ in range(4):  # a few tries to find an item that applies to this row
                    group = groups[rng.integers(len(groups))]
                    item, col = group[rng.integers(len(group))]
                    if item.rare and rng.random() < 0.8:
                        continue
                    if item.code == "duplicate_row":
                        duplicates.append(pos)
                        break
                    before = values[col.name][j]
                    row = {name: values[name][j] for name in kind.names} if item.code in ROW_ITEMS else {}
                    after = self.transform(item, before, col.role, row, kind, enc, rng)
                    if after is None or after == before:
                        continue
                    changed[col.name].append((pos, after))
                    strict = col.required or (kind.code, col.name) in REJECT_INVALID
                    outcome = item.outcome if strict or not item.optional_outcome else item.optional_outcome
                    if item.code == "phone_landline":  # what the pipeline should load
                        before = re.sub(r"\D", "", after)
                        before = before[:3] + "-" + before[3:]
                    records.append({"pos": pos, "column": col.name, "item": item.number, "code": item.code,
                                    "outcome": outcome, "clean": before, "written": after})
                    break
        changes = {name: (np.array([p for p, _ in c], dtype=np.int64), [v for _, v in c]) for name, c in changed.items() if c}
        return MessPlan(changes, records, np.array(duplicates, dtype=np.int64))

    def undecodable_rows(self, n: int) -> np.ndarray:
        """A few rows of a GBK file get a byte GBK cannot decode, well under the 1% that quarantines a file."""
        if n < 200:
            return np.array([], dtype=int)
        k = max(1, int(n * 0.004))
        return np.sort(self.rng.choice(n, size=k, replace=False))
