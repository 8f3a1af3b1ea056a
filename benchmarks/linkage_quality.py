"""How right the resident linkage is, against the generator's truth: a bench home after a run.

    python -m benchmarks.linkage_quality <bench home>

Reads `<home>/pipeline`'s identity.resident_links and the sample's `truth/rows.parquet` (the person
behind a row, where the truth names one: 居民参与 and 满意度 rows; a 房源台账 row names none) and
`truth/world/persons.parquet` (their ID numbers, pseudonymised with the home's own key, as the
roster's were). Per link method: links scored, and how many name the true person. For Splink also
its recall: of the rows Splink was given that a roster resident is behind (rows
with no valid ID and an unmasked name), the share it linked to that resident.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb


def main(args: list[str]) -> int:
    home = Path(args[0]).resolve()
    os.environ["ANJU_HOME"] = str(home / "pipeline")  # the pseudonym key of that pipeline home
    from pipelines.pseudonym import pseudonymise
    from pipelines.settings import paths

    truth = home / "sample" / "truth"
    persons = duckdb.sql(f"SELECT person_id, id_number FROM '{truth / 'world' / 'persons.parquet'}'").df()
    persons["resident_key"] = pseudonymise(persons["id_number"])
    with duckdb.connect(str(paths().work_db), read_only=True) as con:
        con.register("persons", persons[["person_id", "resident_key"]])
        con.execute(f"""
            CREATE TEMP TABLE truth AS
            SELECT f.file_sha, t.row AS row_number, p.resident_key
            FROM '{truth / 'rows.parquet'}' t
            JOIN quality.arrivals f ON f.source || '/' || f.file_name = t.file AND f.outcome = 'new'
            JOIN persons p USING (person_id)""")
        by_method = con.execute("""
            SELECT l.link_method, count(*) AS links, count(*) FILTER (WHERE t.resident_key = l.resident_key) AS right_person
            FROM identity.resident_links l JOIN truth t USING (file_sha, row_number)
            GROUP BY 1 ORDER BY 1""").fetchall()
        # the rows Splink is given (see residents._records_for_splink) whose person is a roster resident
        recall = con.execute("""
            WITH residents AS (SELECT DISTINCT resident_id_key AS resident_key FROM raw.household_roster),
            given AS (
                SELECT 'dwelling_register' AS source_kind, _file_sha AS file_sha, _row_number AS row_number
                FROM raw.dwelling_register WHERE owner_id_key IS NULL AND NOT contains(owner_name, '*')
                UNION ALL
                SELECT 'participation', _file_sha, _row_number FROM raw.participation
                WHERE participant_id_key IS NULL AND NOT contains(participant_name, '*')
                UNION ALL
                SELECT 'satisfaction_survey', _file_sha, _row_number FROM raw.satisfaction_survey
                WHERE respondent_id_key IS NULL AND NOT contains(respondent, '*'))
            SELECT count(*), count(*) FILTER (WHERE l.link_method = 'splink' AND l.resident_key = t.resident_key)
            FROM given g JOIN truth t USING (file_sha, row_number) JOIN residents USING (resident_key)
            LEFT JOIN identity.resident_links l USING (source_kind, file_sha, row_number)
            WHERE l.link_method IS NULL OR l.link_method = 'splink'""").fetchone()
    print(f"{'method':<12}{'links scored':>14}{'right person':>14}{'precision':>11}")
    for method, links, right in by_method:
        print(f"{method:<12}{links:>14,}{right:>14,}{right / links:>11.4f}")
    findable, found = recall
    print(f"splink recall: {found:,} of {findable:,} rows with a roster resident behind them "
          f"= {found / max(findable, 1):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
