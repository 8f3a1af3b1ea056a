"""The raw layer and the quality records in the pipeline's work database (DuckDB)."""

from __future__ import annotations

import duckdb

from pipelines.settings import duckdb_memory_limit

from .kinds import KINDS, Kind
from .values import sql_columns

PROVENANCE = {
    "_file_sha": "VARCHAR",
    "_file_name": "VARCHAR",
    "_sheet": "VARCHAR",
    "_row_number": "BIGINT",
    "_as_of": "DATE",  # a snapshot's as-of date, a ledger file's export date
    "_arrived_at": "TIMESTAMP",
}

# What reading a file writes besides its raw rows, keyed by file_sha: all a file's scratch database holds.
FILE_ROW_TABLES = ("quality.rejects", "quality.rejected_rows", "quality.warnings")

FILE_ROWS_DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.rejects (
    file_sha VARCHAR, file_name VARCHAR, kind VARCHAR, row_number BIGINT,
    column_name VARCHAR, rule VARCHAR, value VARCHAR
);
CREATE TABLE IF NOT EXISTS quality.rejected_rows (
    file_sha VARCHAR, kind VARCHAR, row_number BIGINT, source_row JSON
);
CREATE TABLE IF NOT EXISTS quality.warnings (
    file_sha VARCHAR, kind VARCHAR, row_number BIGINT, column_name VARCHAR, warning VARCHAR, value VARCHAR
);
"""

QUALITY_DDL = FILE_ROWS_DDL + """
CREATE TABLE IF NOT EXISTS quality.files (
    file_sha VARCHAR PRIMARY KEY, source VARCHAR, file_name VARCHAR, archive_path VARCHAR,
    format VARCHAR, encoding VARCHAR, sheet VARCHAR, kind VARCHAR, kind_label VARCHAR, mode VARCHAR,
    as_of DATE, as_of_from VARCHAR, arrived_at TIMESTAMP, ingested_at TIMESTAMP, run_id VARCHAR,
    status VARCHAR,            -- loaded | quarantined
    reason VARCHAR,            -- why a file was quarantined
    rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, rows_skipped BIGINT, warnings BIGINT
);
-- Every time a file is seen in the landing zone, including the same bytes again.
CREATE TABLE IF NOT EXISTS quality.arrivals (
    source VARCHAR, landing_path VARCHAR, file_name VARCHAR, size BIGINT, mtime TIMESTAMP,
    file_sha VARCHAR, seen_at TIMESTAMP, run_id VARCHAR,
    outcome VARCHAR            -- new | duplicate
);
CREATE TABLE IF NOT EXISTS quality.contract_results (
    file_sha VARCHAR, kind VARCHAR, expectation VARCHAR, rule VARCHAR, success BOOLEAN, unexpected_count BIGINT,
    rows_checked BIGINT, unexpected_percent DOUBLE,
    blocking BOOLEAN,          -- a failure stops publication until resolved (pipelines/warehouse/gate.py)
    mostly DOUBLE              -- the share of rows that must pass
);
-- An engineer's decision to publish despite a file's blocking contract failure, per file and rule.
CREATE TABLE IF NOT EXISTS quality.contract_acceptances (
    file_sha VARCHAR, rule VARCHAR, accepted_at TIMESTAMP, run_id VARCHAR
);
-- Work databases created before blocking contracts existed.
ALTER TABLE quality.contract_results ADD COLUMN IF NOT EXISTS rows_checked BIGINT;
ALTER TABLE quality.contract_results ADD COLUMN IF NOT EXISTS unexpected_percent DOUBLE;
ALTER TABLE quality.contract_results ADD COLUMN IF NOT EXISTS blocking BOOLEAN;
ALTER TABLE quality.contract_results ADD COLUMN IF NOT EXISTS mostly DOUBLE;
"""


def raw_columns(kind: Kind) -> dict[str, str]:
    columns = dict(PROVENANCE)
    for column in kind.columns:
        columns.update(sql_columns(column))
    columns["_source"] = "JSON"  # the row as written: every original cell, unknown columns included
    return columns


# Before 2026-11-27 the records named files by absolute path, so a home moved or restored elsewhere took
# every landing file for a new arrival and could not find its archive: keep the relative part.
RELATIVE_PATHS = r"""
UPDATE quality.arrivals
SET landing_path = CASE WHEN regexp_matches(landing_path, '/archive/[0-9a-f]{2}/[0-9a-f]{64}$') THEN 'archive/' ELSE '' END
                   || regexp_extract(landing_path, '[^/]+/[^/]+$')
WHERE starts_with(landing_path, '/');
UPDATE quality.files SET archive_path = regexp_extract(archive_path, '[^/]+/[^/]+$') WHERE starts_with(archive_path, '/');
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(QUALITY_DDL)
    con.execute(RELATIVE_PATHS)
    for kind in KINDS:
        _create_raw_table(con, kind)


def ensure_file_tables(con: duckdb.DuckDBPyConnection, kind: Kind) -> None:
    """The tables one file of `kind` writes, in its scratch database."""
    con.execute(FILE_ROWS_DDL)
    _create_raw_table(con, kind)


def _create_raw_table(con: duckdb.DuckDBPyConnection, kind: Kind) -> None:
    cols = ", ".join(f'"{name}" {type_}' for name, type_ in raw_columns(kind).items())
    con.execute(f"CREATE TABLE IF NOT EXISTS raw.{kind.name} ({cols})")


def connect(path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    # SET, not a connect config: a config would refuse a read-only connection to the same file in this process
    con.execute("SET memory_limit = $limit", {"limit": duckdb_memory_limit()})
    ensure_schema(con)
    return con
