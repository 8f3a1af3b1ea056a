"""Read one column of text cells as its kind's value type (kinds.Column.type), with its SQL type.

A type maps to a normaliser of ingest/normalize.py. Composite types (a whole dwelling in one
string, a location with the estate in front) expand into several warehouse columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines.pseudonym import pseudonymise

from . import normalize as n
from .kinds import Column

SQL_TYPES = {
    "text": "VARCHAR",
    "identifier": "VARCHAR",
    "resident_id": "VARCHAR",
    "code6": "VARCHAR",
    "code9": "VARCHAR",
    "code12": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "month": "DATE",
    "amount": "DECIMAL(18,2)",
    "area": "DOUBLE",
    "distance": "DOUBLE",
    "decimal": "DOUBLE",
    "integer": "BIGINT",
    "phone": "VARCHAR",
    "special_groups": "VARCHAR",
    "building": "VARCHAR",
    "entrance": "VARCHAR",
    "room": "VARCHAR",
}

DWELLING_PARTS = ("building", "entrance", "room")


@dataclass
class ColumnValues:
    values: dict[str, pd.Series]  # warehouse column → values
    problem: pd.Series
    warning: pd.Series


def sql_columns(column: Column) -> dict[str, str]:
    """The warehouse columns (name → SQL type) that one export column becomes."""
    if column.type == "dwelling":
        return {column.name: "VARCHAR", **{f"{column.name}_{p}": "VARCHAR" for p in DWELLING_PARTS}}
    if column.type == "location":
        return {column.name: "VARCHAR", f"{column.name}_estate": "VARCHAR", **{f"{column.name}_{p}": "VARCHAR" for p in DWELLING_PARTS}}
    if column.type == "estate":
        return {column.name: "VARCHAR", f"{column.name}_key": "VARCHAR"}
    if column.type == "resident_id":
        return {column.name: "VARCHAR", f"{column.name}_key": "VARCHAR"}
    if column.type == "aliases":
        return {column.name: "VARCHAR", "alias_keys": "VARCHAR"}
    if column.type.startswith("category:"):
        return {column.name: "VARCHAR"}
    return {column.name: SQL_TYPES[column.type]}


def read_column(column: Column, cells: pd.Series, from_xlsx: bool, unit: str | None = None,
                estate_names: pd.Series | None = None) -> ColumnValues:
    """`unit`: the one the header states in brackets, for values that state none (万元, 公里).
    `estate_names`: the rows' 小区名称, which tells where a location's estate ends."""
    kind = column.type
    if kind in ("dwelling", "location"):
        return _read_dwelling(column, cells, estate_names)
    if kind == "estate":
        text = n.clean_text(cells)
        key = n.estate_name_key(cells)
        return ColumnValues({column.name: text.value, f"{column.name}_key": key}, text.problem, text.warning)
    if kind == "aliases":
        return _read_aliases(column, cells)
    if kind == "resident_id":
        ids = n.resident_id(cells)
        return ColumnValues({column.name: ids.value, f"{column.name}_key": pseudonymise(ids.value)}, ids.problem, ids.warning)
    if kind.startswith("category:"):
        result = n.category(cells, getattr(n, kind.split(":", 1)[1]))
    elif kind in ("date", "timestamp", "month"):
        result = getattr(n, kind)(cells, excel_serial=from_xlsx)
    elif kind in ("code6", "code9", "code12", "text"):
        result = n.clean_text(cells)
    elif kind == "identifier":
        result = n.identifier(cells)
    elif kind == "distance":
        result = n.decimal(cells, unit=unit)
    elif kind == "amount":
        result = n.amount(cells, unit=unit)
    else:
        result = getattr(n, kind)(cells)
    return ColumnValues({column.name: result.value}, result.problem, result.warning)


def _read_dwelling(column: Column, cells: pd.Series, estate_names: pd.Series | None) -> ColumnValues:
    text = n.clean_text(cells)
    if column.type == "dwelling":
        parts = n.dwelling(cells)
        values = {column.name: text.value}
    else:
        parts = n.split_estate_and_dwelling(cells, estate_names)
        values = {column.name: text.value, f"{column.name}_estate": parts["estate"]}
    values.update({f"{column.name}_{p}": parts[p] for p in DWELLING_PARTS})
    return ColumnValues(values, parts["problem"], text.warning)


ALIAS_SEPARATORS = r"[；;/、]"


def _read_aliases(column: Column, cells: pd.Series) -> ColumnValues:
    """曾用名: several names in one cell; each gets its match key, joined by '|'."""
    text = n.clean_text(cells)
    # dropna, then str: a column blank in every row explodes to float NaNs, which have no .str
    parts = text.value.str.split(ALIAS_SEPARATORS, regex=True).explode().dropna().astype(str)
    parts = parts[parts.str.strip() != ""]
    keys = n.estate_name_key(parts)
    joined = keys.groupby(level=0).agg(lambda k: "|".join(sorted(set(k.dropna()))))
    return ColumnValues({column.name: text.value, "alias_keys": joined.reindex(cells.index)}, text.problem, text.warning)
