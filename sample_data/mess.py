"""Row-level mess of EXPORTS.md's catalogue, injected into clean rows and recorded cell by cell.

Each item knows the column roles it can hit and the outcome a correct pipeline owes it:
normalise (the meaning is certain), reject (the row), warn_null (an optional field set to null),
correct (a future birth date corrected from the ID), dedupe, unmatched (loads, estate unknown),
link (loads; identity linkage must look past it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .idcard import to_legacy15
from .kinds import CATEGORY_SYNONYMS, Kind
from .names import chinese_number, homophone_variant

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
NBSP = "\u00a0"
UNREGISTERED_ESTATES = ["金港安置点", "东湖还建临时安置区", "新河棚改过渡房", "未登记安置小区"]
DWELLING = re.compile(r"^(\d+)栋(\d+)单元(\d+)室?$")


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
]
UNDECODABLE = Item("undecodable_bytes", 1, ("*",), "reject")


@dataclass
class EstateNames:
    """What a department might write instead of an estate's register name."""
    aliases: dict[str, list[str]]
    prefixes: dict[str, list[str]]  # district / street names to prefix


def excel_serial(date_text: str) -> str:
    return str((pd.Timestamp(date_text) - pd.Timestamp("1899-12-30")).days)


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


class MessInjector:
    def __init__(self, names: EstateNames, rate: float, rng: np.random.Generator):
        self.names = names
        self.rate = rate
        self.rng = rng

    def transform(self, item: Item, value: str, role: str, row: dict[str, str], kind: Kind, encoding: str) -> str | None:
        """The messy value, or None when the item cannot apply to this value."""
        rng = self.rng
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
        raise ValueError(code)

    def inject(self, data: pd.DataFrame, kind: Kind, fmt: str, encoding: str) -> tuple[pd.DataFrame, list[dict]]:
        """Mess up about `rate` of the rows, one item each. Returns the new rows and one record per change.

        Duplicated rows are inserted right after their original; records carry the final row position.
        """
        n = len(data)
        if n == 0 or self.rate <= 0:
            return data, []
        enc = "xlsx" if fmt == "xlsx" else encoding
        candidates = [
            (item, col) for item in ITEMS for col in kind.columns
            if (not item.kinds or kind.code in item.kinds)
            and (col.role in item.roles or item.roles == ("*",))
            and not (item.xlsx_only and fmt != "xlsx") and not (item.csv_only and fmt == "xlsx")
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
        values = data[kind.names].to_numpy(dtype=object).copy()
        positions = np.sort(self.rng.choice(n, size=self.rng.binomial(n, self.rate), replace=False))
        col_index = {c.name: i for i, c in enumerate(kind.columns)}
        records: list[dict] = []
        duplicates = []
        for pos in positions:
            for _ in range(4):  # a few tries to find an item that applies to this row
                group = groups[self.rng.integers(len(groups))]
                item, col = group[self.rng.integers(len(group))]
                if item.code == "duplicate_row":
                    duplicates.append(pos)
                    break
                c = col_index[col.name]
                before = values[pos, c]
                row = dict(zip(kind.names, values[pos]))
                after = self.transform(item, before, col.role, row, kind, enc)
                if after is None or after == before:
                    continue
                values[pos, c] = after
                outcome = item.outcome if col.required or not item.optional_outcome else item.optional_outcome
                records.append({"pos": pos, "column": col.name, "item": item.number, "code": item.code,
                                "outcome": outcome, "clean": before, "written": after})
                break
        messy = data.copy()
        messy[kind.names] = values
        if duplicates:
            order = np.sort(np.concatenate([np.arange(n), np.array(duplicates)]), kind="stable")
            messy = messy.iloc[order].reset_index(drop=True)
            new_pos = np.arange(len(order))
            first = pd.Series(new_pos).groupby(order).min().to_numpy()  # where each original row went
            for r in records:
                r["pos"] = int(first[r["pos"]])
            for d in duplicates:
                records.append({"pos": int(first[d]) + 1, "column": "", "item": 10, "code": "duplicate_row",
                                "outcome": "dedupe", "clean": "", "written": ""})
        return messy, records

    def undecodable_rows(self, n: int) -> np.ndarray:
        """A few rows of a GBK file get a byte GBK cannot decode, well under the 1% that quarantines a file."""
        if n < 200:
            return np.array([], dtype=int)
        k = max(1, int(n * 0.004))
        return np.sort(self.rng.choice(n, size=k, replace=False))
