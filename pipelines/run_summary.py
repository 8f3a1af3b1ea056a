"""What `anju run` prints: each file's fate and its row accounting, read back from the quality tables."""

from __future__ import annotations

import duckdb

from pipelines.settings import Paths


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
    balanced = True
    counts = {"loaded": 0, "quarantined": 0, "duplicate": 0}
    for source, name, outcome, status, label, read, loaded, rejected, skipped, reason, first_name, sha in files:
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
    print(f"Files: {counts['loaded']} accepted, {counts['quarantined']} quarantined, {counts['duplicate']} duplicates"
          + ("" if files else " (no new files in the landing zone)"))
    return balanced
