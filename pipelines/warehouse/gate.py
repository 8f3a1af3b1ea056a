"""Which files stop publication: blocking contract failures that nobody has resolved yet.

An expectation the city marks blocking (`meta.blocking` in expectations/<kind>.json) fails a file
when more than 1 − `mostly` of its rows fail it (quality.contract_results). Such a failure is
resolved in one of three ways:

- **fix and re-read**: after a fix to the normaliser or the suite, `ingest_files` with
  `reprocess: [<file>]` reads the archived file again and replaces its contract results;
- **corrected re-send** (snapshot kinds): a later-arriving file of the same kind whose as-of date
  falls in the same month, on or after the bad file's, replaces it for that month and every later
  one (dbt's snapshot choice), so the bad file no longer reaches any mart;
- **explicit acceptance**: `anju run --accept-blocking <file>` (or `accept_blocking` in the
  `published_warehouse` config of a Dagster run) records the decision in
  quality.contract_acceptances and publishes the file's good rows. For a ledger, whose rows a
  re-send does not remove, this is the way once the corrected rows have arrived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


class PublicationBlocked(RuntimeError):
    """Files with unresolved blocking contract failures: the published warehouse stays as it was."""


@dataclass(frozen=True)
class BlockingFailure:
    file_sha: str
    source: str
    file_name: str
    kind: str
    rule: str
    unexpected_count: int
    rows_checked: int
    unexpected_percent: float
    mostly: float

    def describe(self) -> str:
        return (f"{self.source}/{self.file_name}: rule “{self.rule}” failed for {self.unexpected_percent:.1f}% of the rows "
                f"({self.unexpected_count} of {self.rows_checked}); the city blocks publication above {100 * (1 - self.mostly):.0f}%")


_UNRESOLVED = """
SELECT c.file_sha, f.source, f.file_name, f.kind, c.rule, c.unexpected_count, c.rows_checked, c.unexpected_percent, c.mostly
FROM quality.contract_results c JOIN quality.files f USING (file_sha)
WHERE c.blocking AND NOT c.success AND f.status = 'loaded'
  AND NOT EXISTS (SELECT 1 FROM quality.contract_acceptances a WHERE a.file_sha = c.file_sha AND a.rule = c.rule)
  AND NOT (f.mode = 'snapshot' AND EXISTS (
      SELECT 1 FROM quality.files n
      WHERE n.kind = f.kind AND n.status = 'loaded' AND n.as_of <= last_day(f.as_of)
        AND (n.as_of, n.arrived_at, n.file_sha) > (f.as_of, f.arrived_at, f.file_sha)))
"""


def unresolved(con: duckdb.DuckDBPyConnection, file_shas: list[str] | None = None) -> list[BlockingFailure]:
    """Unresolved blocking failures, of every file or of the given ones."""
    sql, params = _UNRESOLVED, []
    if file_shas is not None:
        if not file_shas:
            return []
        sql += f" AND c.file_sha IN ({', '.join('?' * len(file_shas))})"
        params = list(file_shas)
    rows = con.execute(sql + " ORDER BY f.source, f.file_name, c.rule", params).fetchall()
    return [BlockingFailure(*row) for row in rows]


def accept(con: duckdb.DuckDBPyConnection, files: list[str], run_id: str) -> list[BlockingFailure]:
    """Record an engineer's acceptance of the blocking failures of `files` (names or checksums)."""
    if not files:
        return []
    failures = unresolved(con)
    chosen = []
    for wanted in files:
        mine = [f for f in failures if wanted in (f.file_sha, f.file_name)]
        if not mine:
            raise ValueError(f"no unresolved blocking contract failure for a file named or with checksum {wanted!r}")
        chosen += mine
    now = dt.datetime.now().replace(microsecond=0)
    con.executemany(
        "INSERT INTO quality.contract_acceptances VALUES (?, ?, ?, ?)",
        [[f.file_sha, f.rule, now, run_id] for f in dict.fromkeys(chosen)],
    )
    return chosen


def check_publishable(con: duckdb.DuckDBPyConnection) -> None:
    """Raise PublicationBlocked, naming every file, rule and share, while any failure is unresolved."""
    failures = unresolved(con)
    if failures:
        raise PublicationBlocked(
            f"publication stopped: {len(failures)} unresolved blocking contract failure(s):\n"
            + "\n".join(f"  {f.describe()}" for f in failures)
            + "\nResolve each by re-reading the file after a fix (ingest_files with reprocess), by the department's "
            "corrected re-send (snapshot kinds), or by accepting it: anju run --accept-blocking <file name>"
        )
