"""What `anju run` prints: each file's fate and its row accounting, read back from the quality tables."""

from __future__ import annotations

import unicodedata

import duckdb

from pipelines.settings import Paths
from pipelines.warehouse import gate


def printable(name: str) -> str:
    """A file name on one line: control characters (a line break could forge a line of this
    summary) are shown escaped."""
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch).startswith("C") else ch for ch in name)


def print_summary(p: Paths, run_id: str) -> bool:
    """Print per-file outcomes of one run; False if any file's rows do not add up."""
    if not p.work_db.exists():
        print("No work database: nothing was ingested.")
        return True
    with duckdb.connect(str(p.work_db), read_only=True) as con:
        files = con.execute(
            """
            SELECT a.source, a.file_name, a.outcome, f.status, f.kind_label, f.rows_read, f.rows_loaded,
                   f.rows_rejected, f.rows_skipped, f.reason, f.file_name AS first_name, f.file_sha
            FROM quality.arrivals a LEFT JOIN quality.files f USING (file_sha)
            WHERE a.run_id = ? ORDER BY a.source, a.file_name
            """,
            [run_id],
        ).fetchall()
        rules = dict(
            ((sha, rule), n)
            for sha, rule, n in con.execute(
                "SELECT file_sha, rule, count(DISTINCT row_number) FROM quality.rejects WHERE file_sha IN "
                "(SELECT file_sha FROM quality.arrivals WHERE run_id = ?) GROUP BY ALL", [run_id]
            ).fetchall()
        )
        blocked = gate.unresolved(con, [f[-1] for f in files])
    balanced = True
    counts = {"loaded": 0, "quarantined": 0, "duplicate": 0}
    for source, name, outcome, status, label, read, loaded, rejected, skipped, reason, first_name, sha in files:
        name, first_name = printable(name), printable(first_name or "")
        if outcome == "duplicate":
            counts["duplicate"] += 1
            print(f"  DUPLICATE    {source}/{name}: same bytes as {first_name}; nothing changed")
            continue
        counts[status] += 1
        if status == "quarantined":
            print(f"  QUARANTINED  {source}/{name}: {reason}")
            continue
        ok = read == loaded + rejected + skipped
        balanced &= ok
        print(f"  ACCEPTED     {source}/{name} [{label}]: read {read} = loaded {loaded} + rejected {rejected} + skipped {skipped}"
              + ("" if ok else "  << ROWS DO NOT ADD UP"))
        for (file_sha, rule), n in sorted(rules.items()):
            if file_sha == sha:
                print(f"                 rejected {n}: {rule}")
        for failure in blocked:
            if failure.file_sha == sha:
                print(f"  BLOCKING     {failure.describe()}: publication stops until it is resolved")
    print(f"Files: {counts['loaded']} accepted, {counts['quarantined']} quarantined, {counts['duplicate']} duplicates"
          + ("" if files else " (no new files in the landing zone)"))
    return balanced
