"""Atomic publication: copy the work database's marts into a new file, then swap it in.

Readers (Superset, extracts) open the published file read-only per query. Building the next file
beside it and `os.replace`-ing it means a reader sees the old snapshot or the new one, never a
mix, and never holds a lock that blocks the pipeline (STACK.md, DuckDB locks).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"


@dataclass(frozen=True)
class Publication:
    snapshot_id: str
    published_at: dt.datetime
    as_of: dt.date | None
    tables: dict[str, int]  # table → rows


def publish(work_db: Path, published_db: Path, snapshot_id: str) -> Publication:
    published_db.parent.mkdir(parents=True, exist_ok=True)
    staging = published_db.with_name(published_db.name + ".next")
    staging.unlink(missing_ok=True)
    published_at = dt.datetime.now().replace(microsecond=0)
    con = duckdb.connect(str(staging))
    # Under its own name (dbt's catalog, the file's stem): the views dbt built name it.
    work = work_db.stem
    try:
        con.execute(f"ATTACH '{work_db}' AS \"{work}\" (READ_ONLY)")
        # dbt builds a mart as a table or, when it only projects another model, as a view: both are
        # published as tables.
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 "
                "UNION SELECT view_name FROM duckdb_views() WHERE database_name = $1 AND schema_name = $2 "
                "ORDER BY 1",
                [work, PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(f"nothing to publish: the work database has no {PUBLISHED_SCHEMA} tables or views")
        as_of = con.execute(
            f"SELECT max(as_of) FROM \"{work}\".quality.files WHERE status = 'loaded' AND mode = 'snapshot'"
        ).fetchone()[0]
        con.execute(f"CREATE SCHEMA {PUBLISHED_SCHEMA}")
        counts = {}
        for table in tables:
            con.execute(f'CREATE TABLE {PUBLISHED_SCHEMA}."{table}" AS SELECT * FROM "{work}".{PUBLISHED_SCHEMA}."{table}"')
            counts[table] = con.execute(f'SELECT count(*) FROM {PUBLISHED_SCHEMA}."{table}"').fetchone()[0]
        con.execute(
            f"CREATE TABLE {PUBLISHED_SCHEMA}.publication AS SELECT ?::VARCHAR AS snapshot_id, ?::TIMESTAMP AS published_at, ?::DATE AS as_of",
            [snapshot_id, published_at, as_of],
        )
        con.execute(f'DETACH "{work}"')
        con.execute("CHECKPOINT")
    finally:
        con.close()
    _fsync(staging)
    os.replace(staging, published_db)
    _fsync(published_db.parent)
    return Publication(snapshot_id, published_at, as_of, counts)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_snapshot(published_db: Path) -> str | None:
    if not published_db.exists():
        return None
    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute(f"SELECT snapshot_id FROM {PUBLISHED_SCHEMA}.publication").fetchone()[0]
