"""Resident identity across departments: exact links first, Splink (DuckDB) for the rest.

Person records of other departments are linked to the 花名册's residents (who carry a valid ID and
so a pseudonymous `resident_key`):

1. **ID**: a valid ID in the record → its `<col>_key` (method `id`, probability 1).
2. **name + phone** (EXPORTS.md, 居民参与记录 with a blank ID): the exact normalised name and an
   unmasked phone reaching exactly one resident in any roster version (method `name_phone`, 1).
3. **Splink** for what is left with an unmasked name: a probabilistic link-only model between these
   records and one row per resident, comparing name (exact, then pinyin: 同音字), phone (full, or
   first 3 + last 4 digits against a masked phone), birth date and where they live (dwelling,
   building, estate). u is estimated by random sampling, m by EM, both unsupervised and seeded.
   The trained model is kept in `identity.splink_model` and reused while the residents and the
   records have each changed in number by less than RETRAIN_GROWTH since it was trained (and the
   model's code and Splink's version are the same): training is most of linkage's time, and a
   month of exports barely moves m and u.
   A record's best candidate at ≥ `accept` (0.95) is linked (method `splink`) unless a second
   candidate is also ≥ `review` (0.5): then it is ambiguous. Pairs in [`review`, `accept`) and
   ambiguous ones go to `identity.review_pairs`.

A record with a masked name (`张**`) and no ID cannot be told from its neighbours: it stays
unlinked (it is simply absent from `identity.resident_links`). The pinyin of every name is kept in
`identity.name_pinyin`, so a later run converts only the names it has not seen.

Entry point for orchestration: `link_residents(con)` with a read-write DuckDB connection to the
work database, after ingest and after dbt has built `intermediate.int_estate_names` and `int_estate_bases`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from pipelines.settings import DBT_PROJECT_DIR, duckdb_memory_limit

PERSON_COLUMNS = ["unique_id", "name", "phone", "birth_date", "estate_code", "building", "dwelling"]

ACCEPT = 0.95
REVIEW = 0.5
SEED = 20240601
EM_MAX_PAIRS = 2e6
RETRAIN_GROWTH = 0.2  # retrain once residents or records have grown (or shrunk) by a fifth

# (source_kind, raw table, name column, id-key column, phone column or None, building expr or None,
#  dwelling expr or None)
_SOURCES = (
    ("dwelling_register", "raw.dwelling_register", "owner_name", "owner_id_key", None,
     "building", "building || '-' || entrance || '-' || room"),
    ("participation", "raw.participation", "participant_name", "participant_id_key", "phone", None, None),
    ("satisfaction_survey", "raw.satisfaction_survey", "respondent", "respondent_id_key", None, "building", None),
)

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Estates (mirrors dbt's assign_estate macro: exact register name/曾用名 key, else the longest
# register key the name ends with after a city, district or street prefix; only when neither finds
# an estate, the same for the key's base against the register keys' bases; a tie between two
# estates assigns nothing)

@cache
def _dbt_var(name: str) -> str:
    """A variable of the dbt project (read once per process), quoted for a SQL string literal."""
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"][name].replace("'", "''")


def _estate_base_key(expr: str) -> str:
    """dbt's estate_base_key macro, from the same project variable."""
    return f"regexp_replace({expr}, '{_dbt_var('estate_generic_suffix')}', '\\1')"


def _after_admin_prefix(name_key: str, registered_key: str) -> str:
    """dbt's after_admin_prefix macro, from the same project variable."""
    return (f"(suffix({name_key}, {registered_key}) and regexp_full_match(left({name_key}, length({name_key}) - "
            f"length({registered_key})), '{_dbt_var('estate_admin_prefix')}'))")


def estate_assignment_sql(keys_sql: str) -> str:
    """SQL returning (name_key, estate_code) for the distinct `name_key` values of `keys_sql`."""
    return f"""
    with keys as (
        select name_key, {_estate_base_key('name_key')} as base_key
        from (select distinct name_key from ({keys_sql}) where name_key is not null)
    ),
    candidates as (
        select k.name_key, n.estate_code, 0 as by_base, length(n.name_key) as match_length, k.name_key = n.name_key as exact
        from keys k join intermediate.int_estate_names n
          on k.name_key = n.name_key or {_after_admin_prefix('k.name_key', 'n.name_key')}
        union all
        select k.name_key, b.estate_code, 1 as by_base, length(b.base_key) as match_length, k.base_key = b.base_key as exact
        from keys k join intermediate.int_estate_bases b
          on k.base_key = b.base_key or {_after_admin_prefix('k.base_key', 'b.base_key')}
    ),
    best as (
        select name_key, estate_code from candidates
        qualify rank() over (partition by name_key order by by_base, exact desc, match_length desc) = 1
    )
    select name_key, min(estate_code) as estate_code from best group by name_key
    having count(distinct estate_code) = 1
    """


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table]).fetchone()[0])


def _estate_map(con: duckdb.DuckDBPyConnection, keys_sql: str) -> str:
    """A subquery (name_key, estate_code); the name key itself when dbt has not built the names yet."""
    if _has_table(con, "intermediate", "int_estate_names") and _has_table(con, "intermediate", "int_estate_bases"):
        return f"({estate_assignment_sql(keys_sql)})"
    log.warning("intermediate.int_estate_names or int_estate_bases missing: estates compared by their written name key")
    return f"(select distinct name_key, name_key as estate_code from ({keys_sql}))"


# ---------------------------------------------------------------------------------------------
# Features

FEATURE_COLUMNS = ["unique_id", "name", "name_py", "surname", "phone_full", "phone_p3s4", "birth_date",
                   "estate_code", "building", "dwelling"]


def _features(df: pd.DataFrame | pa.Table, pinyin: dict[str, str]) -> pa.Table:
    """Comparison columns from PERSON_COLUMNS: pinyin of the name, surname, phone parts.

    In DuckDB over the frame; missing values are nulls, which Splink sees as SQL NULLs. Ordered by
    the compared values, then unique_id: but among rows that differ only in their ids, the order
    does not depend on the installation's pseudonym key (see splink_link).
    An Arrow table, not a pandas frame: a province's millions of residents would be Python strings.
    `pinyin` maps names to their pinyin: names not in it yet are converted (once per distinct name;
    a city's people share far fewer names than rows) and added.
    """
    from pypinyin import Style, lazy_pinyin

    with duckdb.connect() as con:
        con.register("people", df)
        con.execute("""
            create temp table p as
            select unique_id::varchar as unique_id, case when not contains(name, '*') then name end as name,
                   phone, estate_code, building, dwelling, strftime(try_cast(birth_date as date), '%Y-%m-%d') as birth_date
            from (select unique_id, birth_date,
                         nullif(name::varchar, '') as name, nullif(phone::varchar, '') as phone,
                         nullif(estate_code::varchar, '') as estate_code, nullif(building::varchar, '') as building,
                         nullif(dwelling::varchar, '') as dwelling
                  from people)""")  # a masked name (张**) is not a name to compare
        for (name,) in con.execute("select distinct name from p where name is not null").fetchall():
            if name not in pinyin:
                pinyin[name] = " ".join(lazy_pinyin(name, style=Style.NORMAL))
        con.register("pinyin", pd.DataFrame({"name": list(pinyin), "name_py": list(pinyin.values())}))
        features = con.execute("""
            select p.unique_id, p.name, py.name_py, left(p.name, 1) as surname,
                   case when not contains(p.phone, '*') then p.phone end as phone_full,
                   case when length(p.phone) = 11 and starts_with(p.phone, '1')
                             and not contains(left(p.phone, 3) || right(p.phone, 4), '*')
                        then left(p.phone, 3) || right(p.phone, 4) end as phone_p3s4,
                   p.birth_date, p.estate_code,
                   -- building and dwelling only mean something inside their estate
                   p.estate_code || '|' || p.building as building, p.estate_code || '|' || p.dwelling as dwelling
            from p left join pinyin py on py.name = p.name
            order by p.name, p.birth_date, p.phone, p.estate_code, p.building, p.dwelling, p.unique_id""").to_arrow_table()
    return features.select(FEATURE_COLUMNS)


# ---------------------------------------------------------------------------------------------
# The Splink model

def _settings(n_residents: int):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name"),
            cll.ExactMatchLevel("name_py").configure(label_for_charts="same pinyin (同音字)"),
            cll.ExactMatchLevel("surname").configure(label_for_charts="same surname"),
            cll.ElseLevel(),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.And(cll.NullLevel("phone_full"), cll.NullLevel("phone_p3s4")),
            cll.ExactMatchLevel("phone_full"),
            cll.ExactMatchLevel("phone_p3s4").configure(label_for_charts="first 3 + last 4 digits"),
            cll.ElseLevel(),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            # priors (used where the data has no pairs to estimate them from): ~1 day in 20,000
            cll.ExactMatchLevel("birth_date").configure(m_probability=0.95, u_probability=0.00005),
            cll.ElseLevel().configure(m_probability=0.05, u_probability=0.99995),
        ],
    )
    place = cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.NullLevel("estate_code"),
            cll.ExactMatchLevel("dwelling").configure(label_for_charts="same dwelling"),
            cll.ExactMatchLevel("building").configure(label_for_charts="same building"),
            cll.ExactMatchLevel("estate_code").configure(label_for_charts="same estate"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[name, phone, birth, place],
        # Estate alone would pair every resident of an estate with every record of it (150 million
        # pairs in a city of 100 estates): within an estate, the surname must agree too. A surname
        # written with a homophone is still caught by the pinyin and phone rules.
        blocking_rules_to_generate_predictions=[
            block_on("estate_code", "surname"),
            block_on("name_py", "estate_code"),
            block_on("phone_full"),
            block_on("phone_p3s4"),
        ],
        # a record matches at most one of the residents
        probability_two_random_records_match=1.0 / max(n_residents, 2),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _train(linker, n_pairs: int, seed: int) -> None:
    """u by random sampling, m by EM on two blockings; unsupervised and seeded."""
    from splink import block_on

    linker.training.estimate_u_using_random_sampling(
        max_pairs=float(min(max(n_pairs, 1000), 5e6)), seed=seed, min_count_per_level=None, num_chunks=1)
    for rule in (block_on("estate_code"), block_on("name_py")):
        try:
            # Capped: estate blocking gives ~150 million pairs in a city; a few million teach EM as well.
            # Splink sizes the cap's sample by counting the pairs of a 10% sample of records (1% of the
            # pairs); counting them all took 2.2 s per session in a city, for the same links.
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=EM_MAX_PAIRS, record_sample_proportion=0.1, fix_probability_two_random_records_match=True)
        except Exception as exc:  # e.g. too few pairs to estimate from: keep the defaults/priors
            log.warning("EM session on %s skipped: %s", rule, exc)


def model_fingerprint(seed: int) -> str:
    """What a kept model was trained by: the comparisons, the training, the seed and Splink's version."""
    code = inspect.getsource(_settings) + inspect.getsource(_train) + inspect.getsource(_features)
    return hashlib.sha256(f"{code}|{seed}|{EM_MAX_PAIRS}|{version('splink')}".encode()).hexdigest()


@dataclass
class LinkResult:
    links: pd.DataFrame  # unique_id_r, resident_key, match_probability, match_weight
    review: pd.DataFrame  # unique_id_r, resident_key, match_probability, match_weight, reason
    pairs: pd.DataFrame  # every scored pair at ≥ review_low
    model: dict | None  # the Splink model that scored them (settings with m and u); None if there was nothing to train on


@contextmanager
def _splink_database(con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`con` with an in-memory database attached and in use, for Splink's tables; detached after.

    One DuckDB for the work database and Splink: one memory limit holds both, and both spill beside
    the work database; two DuckDBs in one process could each fill their own limit. Without `con`, a
    new DuckDB with the pipeline's limit.
    """
    if con is None:
        with duckdb.connect() as own:
            own.execute("SET memory_limit = $limit", {"limit": duckdb_memory_limit()})
            yield own
        return
    catalog, schema = con.execute("SELECT current_database(), current_schema()").fetchone()
    con.execute("ATTACH ':memory:' AS anju_splink")
    try:
        con.execute("USE anju_splink")
        yield con
    finally:
        con.execute(f'USE "{catalog}"."{schema}"')
        con.execute("DETACH anju_splink")


def _splink_predict(db, left: pa.Table, right: pa.Table, settings, model: dict | None, seed: int,
                    review_low: float) -> tuple[dict, pd.DataFrame]:
    """The trained model and the scored pairs at ≥ review_low, from Splink on the DuckDB of `db`."""
    from splink import Linker

    # As Arrow tables: DuckDB scans a pandas frame's Arrow-backed strings by converting them again
    # on every query, and Splink reads its inputs in dozens of queries (2 s in a city).
    db_left = db.register(left, dataset_display_name="residents")
    db_right = db.register(right, dataset_display_name="records")
    try:
        linker = Linker([db_left, db_right], settings, log_level=logging.WARNING)
        if model is None:
            _train(linker, len(left) * len(right), seed)
        trained = linker.misc.save_model_to_json()
        return trained, linker.inference.predict(threshold_match_probability=review_low).as_pandas_dataframe()
    finally:  # registered on the caller's connection, where they would outlive this call
        for registered in (db_left, db_right):
            db.duckdb_con.unregister(registered.physical_name)


def splink_link(residents: pd.DataFrame | pa.Table, records: pd.DataFrame | pa.Table, *, seed: int = SEED,
                accept: float = ACCEPT, review_low: float = REVIEW, pinyin: dict[str, str] | None = None,
                model: dict | None = None, con: duckdb.DuckDBPyConnection | None = None) -> LinkResult:
    """Link `records` to `residents` (both with PERSON_COLUMNS; residents' unique_id = resident_key).

    Runs Splink in an in-memory database attached to `con` (see _splink_database). Deterministic for
    a given input, seed and model. `pinyin`: names already converted (see _features); filled with the new
    ones. `model`: a trained model (LinkResult.model of an earlier call) to predict with instead of
    training one.
    """
    from splink import DuckDBAPI

    empty_links = pd.DataFrame(columns=["unique_id_r", "resident_key", "match_probability", "match_weight"])
    if len(residents) == 0 or len(records) == 0:
        return LinkResult(empty_links, empty_links.assign(reason=pd.Series(dtype=str)), empty_links, model)

    pinyin = {} if pinyin is None else pinyin
    left = _features(residents, pinyin)
    # Splink trains on rows sampled by a hash of their unique_id. A resident's is a pseudonym, which
    # differs under each installation's key: Splink sees the resident's position instead, so that
    # the same exports train the same model everywhere.
    resident_keys = left.column("unique_id")
    left = left.set_column(0, "unique_id", pc.cast(pa.array(np.arange(len(left))), pa.string()))
    every_record = _features(records, pinyin).to_pandas()
    # Records alike in every compared column score alike: Splink sees each such group once (the
    # same participant at many activities), under the group's first unique_id.
    compared = [c for c in every_record.columns if c != "unique_id"]
    every_record["group_id"] = every_record.groupby(compared, dropna=False, sort=False)["unique_id"].transform("first")
    right = pa.Table.from_pandas(every_record[every_record["unique_id"] == every_record["group_id"]].drop(columns="group_id"),
                                 preserve_index=False)

    settings = _settings(len(left)) if model is None else {
        **model, "probability_two_random_records_match": 1.0 / max(len(left), 2)}
    with _splink_database(con) as splink_con:
        trained, pred = _splink_predict(DuckDBAPI(splink_con), left, right, settings, model, seed, review_low)

    if pred.empty:
        return LinkResult(empty_links, empty_links.assign(reason=pd.Series(dtype=str)), empty_links, trained)
    # the residents frame is registered first: its ids are on the left
    if (pred["source_dataset_l"] == "records").any():
        flip = pred["source_dataset_l"] == "records"
        pred.loc[flip, ["unique_id_l", "unique_id_r"]] = pred.loc[flip, ["unique_id_r", "unique_id_l"]].values
    pred["unique_id_l"] = resident_keys.take(pa.array(pred["unique_id_l"].astype("int64"))).to_numpy()
    pairs = pred.rename(columns={"unique_id_l": "resident_key", "unique_id_r": "group_id"})[
        ["group_id", "resident_key", "match_probability", "match_weight"]]
    pairs = every_record[["unique_id", "group_id"]].merge(pairs, on="group_id").rename(columns={"unique_id": "unique_id_r"})
    pairs = pairs.drop(columns="group_id")
    pairs = pairs.sort_values(["unique_id_r", "match_probability", "resident_key"],
                              ascending=[True, False, True], kind="stable").reset_index(drop=True)

    pairs["rank"] = pairs.groupby("unique_id_r").cumcount()
    n_candidates = pairs.groupby("unique_id_r")["resident_key"].transform("size")
    best = pairs[pairs["rank"] == 0]
    unique_best = best[(best["match_probability"] >= accept) & (n_candidates[best.index] == 1)]
    links = unique_best[["unique_id_r", "resident_key", "match_probability", "match_weight"]]

    ambiguous = pairs["unique_id_r"].isin(best.loc[best["match_probability"] >= accept, "unique_id_r"]) & (
        n_candidates > 1)
    middling = (pairs["match_probability"] >= review_low) & (pairs["match_probability"] < accept)
    review = pairs[ambiguous | middling].copy()
    review["reason"] = ["ambiguous: several candidates" if a else "probability between review and accept"
                        for a in ambiguous[review.index]]
    review = review[["unique_id_r", "resident_key", "match_probability", "match_weight", "reason"]]
    return LinkResult(links.reset_index(drop=True), review.reset_index(drop=True),
                      pairs.drop(columns="rank"), trained)


# ---------------------------------------------------------------------------------------------
# Reading the work database

def _residents_frame(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per roster resident (valid ID): their most frequent name, phone and birth date (ties
    to the latest roster, then the first value), and the dwelling of their latest roster.

    Counts and row numbers rather than DuckDB's mode(): a mode's state is a hash map per resident,
    outside DuckDB's memory limit: 12.6 GiB for a province's two rosters."""
    estates = _estate_map(con, "select estate_name_key as name_key from raw.household_roster")

    def most_frequent(column: str, usable: str = "true") -> str:
        return f"""(select rk, {column} from (
                        select rk, {column}, count(*) as n, max(_as_of) as seen from r
                        where {column} is not null and {usable} group by rk, {column})
                    qualify row_number() over (partition by rk order by n desc, seen desc, {column}) = 1)"""

    return con.execute(f"""
        with r as materialized (
            select h.resident_id_key as rk, h.name, h.phone, h.birth_date, e.estate_code,
                   h.dwelling_building as building,
                   h.dwelling_building || '-' || h.dwelling_entrance || '-' || h.dwelling_room as dwelling,
                   h._as_of
            from raw.household_roster h
            left join {estates} e on e.name_key = h.estate_name_key
            where h.resident_id_key is not null
        ),
        latest as (
            select rk, estate_code, building, dwelling from r
            qualify row_number() over (partition by rk order by _as_of desc, dwelling) = 1
        )
        select rk as unique_id, name, phone, birth_date, estate_code, building, dwelling
        from latest
        left join {most_frequent("name")} using (rk)
        left join {most_frequent("phone", "not contains(phone, '*')")} using (rk)
        left join {most_frequent("birth_date")} using (rk)
        order by rk
    """).to_arrow_table()


RECORD_COLUMNS = ["source_kind", "file_sha", "row_number", "id_key", *PERSON_COLUMNS[1:]]


def _stage_records(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table `_anju_records`: every person record of the other departments (source, row, ID key,
    the comparison columns). It stays in DuckDB: most records link by their ID, in SQL."""
    parts = []
    for kind, table, name, id_key, phone, building, dwelling in _SOURCES:
        if not _has_table(con, *table.split(".")):
            continue
        estates = _estate_map(con, f"select estate_name_key as name_key from {table}")
        parts.append(f"""
            select '{kind}' as source_kind, t._file_sha as file_sha, t._row_number as row_number,
                   t.{id_key} as id_key, t.{name} as name, {f't.{phone}' if phone else 'null'} as phone,
                   null::date as birth_date, e.estate_code,
                   {f't.{building}' if building else 'null'} as building,
                   {dwelling if dwelling else 'null'} as dwelling
            from {table} t left join {estates} e on e.name_key = t.estate_name_key
            where t.{name} is not null or t.{id_key} is not null
        """)
    if not parts:
        parts = ["select " + ", ".join(f"null::varchar as {c}" for c in RECORD_COLUMNS) + " where false"]
    con.execute("create or replace temp table _anju_records as " + " union all ".join(parts))


def _stage_rule_links(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table `_anju_rule_links`: records linked by their valid ID (method `id`) and, per EXPORTS.md,
    居民参与记录 with a blank ID by exact name + unmasked phone reaching one resident (`name_phone`)."""
    con.execute("""
        create or replace temp table _anju_rule_links as
        select source_kind, file_sha, row_number, id_key as resident_key, 'id' as link_method
        from _anju_records where id_key is not null
        union all
        select r.source_kind, r.file_sha, r.row_number, c.resident_key, 'name_phone' as link_method
        from _anju_records r join (
            select name, phone, min(resident_id_key) as resident_key
            from raw.household_roster
            where name is not null and phone is not null and not contains(phone, '*')
              and resident_id_key is not null
            group by name, phone having count(distinct resident_id_key) = 1
        ) c on c.name = r.name and c.phone = r.phone
        where r.source_kind = 'participation' and r.id_key is null
          and r.phone is not null and not contains(r.phone, '*')
    """)


def _records_for_splink(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Records left for Splink: no rule link and an unmasked name; unique_id = `kind|sha|row`."""
    return con.execute("""
        select r.source_kind || '|' || r.file_sha || '|' || r.row_number as unique_id, r.*
        from _anju_records r
        where r.id_key is null and r.name is not null and not contains(r.name, '*')
          and not exists (select 1 from _anju_rule_links l where l.source_kind = r.source_kind
                          and l.file_sha = r.file_sha and l.row_number = r.row_number)
        order by r.source_kind, r.file_sha, r.row_number
    """).df()


def _known_pinyin(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Pinyin of every name seen by an earlier linkage of this work database (pypinyin is per name, in Python)."""
    if not _has_table(con, "identity", "name_pinyin"):
        return {}
    return dict(con.execute("select name, name_py from identity.name_pinyin").fetchall())


def _keep_pinyin(con: duckdb.DuckDBPyConnection, pinyin: dict[str, str]) -> None:
    con.register("_anju_pinyin", pd.DataFrame({"name": list(pinyin), "name_py": list(pinyin.values())}))
    try:
        con.execute("create or replace table identity.name_pinyin as "
                    "select name::varchar as name, name_py::varchar as name_py from _anju_pinyin order by name")
    finally:
        con.unregister("_anju_pinyin")


def _kept_model(con: duckdb.DuckDBPyConnection, fingerprint: str, residents: int, records: int) -> dict | None:
    """The model an earlier run trained, if its code is this one's and neither the residents nor the
    records Splink compares have changed in number by RETRAIN_GROWTH or more since."""
    if not _has_table(con, "identity", "splink_model"):
        return None
    kept = con.execute("select model_json, fingerprint, residents, records from identity.splink_model").fetchone()
    if kept is None or kept[1] != fingerprint:
        return None
    model_json, _, trained_residents, trained_records = kept
    if any(abs(now - then) >= RETRAIN_GROWTH * then for now, then in ((residents, trained_residents), (records, trained_records))):
        return None
    return json.loads(model_json)


def _keep_model(con: duckdb.DuckDBPyConnection, model: dict, fingerprint: str, residents: int, records: int) -> None:
    con.execute("create or replace table identity.splink_model as select $model_json::varchar as model_json, "
                "$fingerprint::varchar as fingerprint, $residents::bigint as residents, $records::bigint as records, "
                "current_timestamp::timestamp as trained_at",
                {"model_json": json.dumps(model), "fingerprint": fingerprint,
                 "residents": residents, "records": records})


def link_residents(con: duckdb.DuckDBPyConnection, *, seed: int = SEED, accept: float = ACCEPT,
                   review_low: float = REVIEW) -> dict[str, int]:
    """Build `identity.resident_links` and `identity.review_pairs` in the work database `con`.

    resident_links(source_kind, file_sha, row_number, resident_key, match_probability, link_method)
    review_pairs(source_kind, file_sha, row_number, resident_key, match_probability, match_weight, reason)
    splink_model(model_json, fingerprint, residents, records, trained_at): the model, when trained anew
    Returns counts per method plus `unlinked`, `review_pairs` and `splink_model_kept` (1 or 0).
    """
    residents = _residents_frame(con)
    _stage_records(con)
    _stage_rule_links(con)
    rest = _records_for_splink(con)

    pinyin = _known_pinyin(con)
    known = len(pinyin)
    fingerprint = model_fingerprint(seed)
    kept = _kept_model(con, fingerprint, len(residents), len(rest))
    result = splink_link(residents, rest[PERSON_COLUMNS], seed=seed, accept=accept, review_low=review_low,
                         pinyin=pinyin, model=kept, con=con)
    key = ["source_kind", "file_sha", "row_number"]
    ids = rest[key + ["unique_id"]].rename(columns={"unique_id": "unique_id_r"})
    by_splink = ids.merge(result.links, on="unique_id_r")[key + ["resident_key", "match_probability"]]
    review = ids.merge(result.review, on="unique_id_r")[
        key + ["resident_key", "match_probability", "match_weight", "reason"]]

    con.execute("create schema if not exists identity")
    if len(pinyin) > known:
        _keep_pinyin(con, pinyin)
    if kept is None and result.model is not None:
        _keep_model(con, result.model, fingerprint, len(residents), len(rest))
    con.register("_anju_splink_links", by_splink)
    con.register("_anju_review", review)
    try:
        con.execute("""
            create or replace table identity.resident_links as
            select source_kind::varchar as source_kind, file_sha::varchar as file_sha,
                   row_number::bigint as row_number, resident_key::varchar as resident_key,
                   match_probability::double as match_probability, link_method::varchar as link_method
            from (select source_kind, file_sha, row_number, resident_key, 1.0 as match_probability, link_method
                  from _anju_rule_links
                  union all
                  select source_kind::varchar, file_sha::varchar, row_number::bigint, resident_key::varchar,
                         match_probability::double, 'splink'
                  from _anju_splink_links)
            order by 1, 2, 3""")
        con.execute("""
            create or replace table identity.review_pairs as
            select source_kind::varchar as source_kind, file_sha::varchar as file_sha,
                   row_number::bigint as row_number, resident_key::varchar as resident_key,
                   match_probability::double as match_probability, match_weight::double as match_weight,
                   reason::varchar as reason
            from _anju_review order by 1, 2, 3, 5 desc""")
    finally:
        con.unregister("_anju_splink_links")
        con.unregister("_anju_review")

    by_method = dict(con.execute("select link_method, count(*) from identity.resident_links group by 1").fetchall())
    counts = {m: int(by_method.get(m, 0)) for m in ("id", "name_phone", "splink")}
    (records,) = con.execute("select count(*) from _anju_records").fetchone()
    con.execute("drop table _anju_records")
    con.execute("drop table _anju_rule_links")
    counts["unlinked"] = int(records - sum(counts.values()))
    counts["review_pairs"] = int(len(review))
    counts["splink_model_kept"] = int(kept is not None)
    return counts


def main(argv: list[str] | None = None) -> None:
    import argparse

    from pipelines.settings import Paths, paths

    ap = argparse.ArgumentParser(description="Link person records to roster residents (identity.*).")
    ap.add_argument("--home", help="ANJU_HOME (default: environment)")
    args = ap.parse_args(argv)
    work_db = Paths(Path(args.home).resolve()).work_db if args.home else paths().work_db
    with duckdb.connect(str(work_db)) as con:
        print(link_residents(con))


if __name__ == "__main__":
    main()
