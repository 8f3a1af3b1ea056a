"""Resident linkage (pipelines.identity.residents): real Splink on in-memory / temporary DuckDB."""

from __future__ import annotations

import hashlib
import random

import duckdb
import pandas as pd
import pytest

pytest.importorskip("splink")
pytest.importorskip("pypinyin")

from pipelines.identity.residents import PERSON_COLUMNS, link_residents, splink_link  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞辉鹏华红玉兰英桂志建国文斌"
ESTATES = ["420102001001", "420102002001", "420103001001"]


def _residents(n: int = 240, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < n:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if name in seen or name in ("张建平", "张建萍", "李秀英"):
            continue
        seen.add(name)
        estate = rng.choice(ESTATES)
        b, e, r = rng.randint(1, 6), rng.randint(1, 3), rng.choice([101, 102, 201, 202, 301, 302])
        rows.append({
            "unique_id": f"K{len(rows):04d}", "name": name, "phone": f"13{rng.randint(100000000, 999999999)}",
            "birth_date": pd.Timestamp(1940 + rng.randint(0, 60), rng.randint(1, 12), rng.randint(1, 28)),
            "estate_code": estate, "building": str(b), "dwelling": f"{b}-{e}-{r}",
        })
    rows += [
        {"unique_id": "K_ZHANG", "name": "张建平", "phone": "13912345678", "birth_date": pd.Timestamp(1961, 3, 4),
         "estate_code": ESTATES[0], "building": "3", "dwelling": "3-2-501"},
        {"unique_id": "K_LI", "name": "李秀英", "phone": "13800001111", "birth_date": pd.Timestamp(1950, 7, 9),
         "estate_code": ESTATES[1], "building": "1", "dwelling": "1-1-101"},
    ]
    return pd.DataFrame(rows)[PERSON_COLUMNS]


def _records(residents: pd.DataFrame) -> pd.DataFrame:
    # ordinary records: a third of the residents, as another department writes them (no birth date,
    # estate only): enough pairs for EM to learn from
    plain = residents.iloc[:80:1].copy()
    plain = plain.assign(unique_id="R" + plain["unique_id"], birth_date=pd.NaT, building=None, dwelling=None)
    special = pd.DataFrame([
        # 同音字: 张建萍 for 张建平, same phone, same estate → must link to K_ZHANG
        {"unique_id": "R_HOMOPHONE", "name": "张建萍", "phone": "13912345678", "birth_date": pd.NaT,
         "estate_code": ESTATES[0], "building": None, "dwelling": None},
        # another 李秀英: same name, different phone and birth date, another estate → must not link
        {"unique_id": "R_NAMESAKE", "name": "李秀英", "phone": "15977778888", "birth_date": pd.Timestamp(1988, 1, 2),
         "estate_code": ESTATES[2], "building": None, "dwelling": None},
    ])
    return pd.concat([plain, special], ignore_index=True)[PERSON_COLUMNS]


def test_homophone_links_and_namesake_does_not():
    residents = _residents()
    result = splink_link(residents, _records(residents), seed=1)
    links = result.links.set_index("unique_id_r")["resident_key"]

    assert links.get("R_HOMOPHONE") == "K_ZHANG"
    assert result.links.set_index("unique_id_r").loc["R_HOMOPHONE", "match_probability"] >= 0.95
    assert "R_NAMESAKE" not in links.index
    namesake = result.pairs[result.pairs["unique_id_r"] == "R_NAMESAKE"]
    assert (namesake["match_probability"] < 0.95).all()
    # the ordinary records link to themselves, and nothing links to a wrong resident
    plain = links[links.index.str.startswith("RK")]
    assert len(plain) >= 75
    assert (plain.index.str[1:] == plain.values).all()


def test_deterministic():
    residents = _residents()
    records = _records(residents)
    a = splink_link(residents, records, seed=3).pairs
    b = splink_link(residents, records, seed=3).pairs
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_links_do_not_depend_on_the_pseudonym_key():
    """Splink trains on rows sampled by a hash of their ids. The same people under another
    installation's key (other resident keys, in another order) give the same links and
    probabilities. 3,000 residents × 2,002 records: u is estimated from a sample (over 5 M pairs)."""
    residents = _residents(n=3000)
    plain = residents.iloc[:2000].assign(unique_id="R" + residents["unique_id"].iloc[:2000], birth_date=pd.NaT,
                                         building=None, dwelling=None)
    records = pd.concat([plain, _records(residents).iloc[80:]], ignore_index=True)
    found = []
    for key in ("installation-1", "installation-2"):
        pseudonym = {k: hashlib.sha256((key + k).encode()).hexdigest()[:32] for k in residents["unique_id"]}
        keyed = residents.assign(unique_id=residents["unique_id"].map(pseudonym)).sort_values("unique_id")
        links = splink_link(keyed, records, seed=1).links
        person = {p: k for k, p in pseudonym.items()}
        found.append(sorted(zip(links["unique_id_r"], links["resident_key"].map(person), links["match_probability"])))
    assert len(found[0]) > 1900
    assert found[0] == found[1]


def test_link_residents_writes_identity_tables(tmp_path):
    residents = _residents()
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute("create schema raw")
    roster = residents.rename(columns={"unique_id": "resident_id_key"}).assign(
        estate_name_key=residents["estate_code"], dwelling_building=residents["building"],
        dwelling_entrance=residents["dwelling"].str.split("-").str[1],
        dwelling_room=residents["dwelling"].str.split("-").str[2],
        _as_of=pd.Timestamp("2025-01-31"), _file_sha="roster", _row_number=range(2, len(residents) + 2))
    con.register("roster_df", roster)
    con.execute("create table raw.household_roster as select * from roster_df")
    part = pd.DataFrame([
        # ID-linked
        {"participant_name": "王某", "participant_id_key": "K0001", "phone": None},
        # EXPORTS.md's exact name + phone rule
        {"participant_name": "张建平", "participant_id_key": None, "phone": "13912345678"},
        # Splink: homophone + same phone
        {"participant_name": "张建萍", "participant_id_key": None, "phone": "13912345678"},
        # namesake: must stay unlinked
        {"participant_name": "李秀英", "participant_id_key": None, "phone": "15977778888"},
    ]).assign(estate_name_key=[ESTATES[0], ESTATES[0], ESTATES[0], ESTATES[2]], _file_sha="part",
              _row_number=[2, 3, 4, 5])
    con.register("part_df", part)
    con.execute("create table raw.participation as select * from part_df")

    counts = link_residents(con, seed=1)

    links = con.execute("select row_number, resident_key, link_method, match_probability "
                        "from identity.resident_links where source_kind = 'participation' order by 1").fetchall()
    by_row = {r[0]: r for r in links}
    assert by_row[2][1:3] == ("K0001", "id")
    assert by_row[3][1:3] == ("K_ZHANG", "name_phone")
    assert by_row[4][1:3] == ("K_ZHANG", "splink") and by_row[4][3] >= 0.95
    assert 5 not in by_row
    assert counts["unlinked"] == 1
    cols = [r[0] for r in con.execute("describe identity.review_pairs").fetchall()]
    assert cols[:5] == ["source_kind", "file_sha", "row_number", "resident_key", "match_probability"]

    assert counts["splink_model_kept"] == 0
    assert con.execute("select residents, records from identity.splink_model").fetchone() == (len(residents), 2)

    # The names' pinyin and the trained model are kept for the next run, which converts no name
    # again, trains no model and links the same way.
    pinyin = dict(con.execute("select name, name_py from identity.name_pinyin").fetchall())
    assert pinyin["张建萍"] == "zhang jian ping" and "李秀英" in pinyin and len(pinyin) >= len(residents)
    con.execute("update identity.name_pinyin set name_py = 'kept' where name = '李秀英'")
    before = con.execute("select * from identity.resident_links order by all").fetchall()
    trained_at = con.execute("select trained_at from identity.splink_model").fetchone()
    assert link_residents(con, seed=1) == {**counts, "splink_model_kept": 1}
    assert con.execute("select * from identity.resident_links order by all").fetchall() == before
    assert con.execute("select name_py from identity.name_pinyin where name = '李秀英'").fetchone() == ("kept",)
    assert con.execute("select trained_at from identity.splink_model").fetchone() == trained_at

    # Another seed (or other model code) trains anew; so does a fifth more residents than the model saw.
    assert link_residents(con, seed=2)["splink_model_kept"] == 0
    assert link_residents(con, seed=2)["splink_model_kept"] == 1
    con.execute("update identity.splink_model set residents = ceil(residents / 1.2) - 1")
    assert link_residents(con, seed=2)["splink_model_kept"] == 0
    assert con.execute("select residents from identity.splink_model").fetchone() == (len(residents),)


def test_linkage_assigns_estates_as_dbt_does():
    """The linkage's copy of dbt's assign_estate gives what dbt's unit test of the macro expects, on its cases."""
    import yaml

    from pipelines.identity.residents import estate_assignment_sql
    from pipelines.settings import DBT_PROJECT_DIR

    cases = yaml.safe_load((DBT_PROJECT_DIR / "models/intermediate/_unit_tests.yml").read_text(encoding="utf-8"))
    [case] = [c for c in cases["unit_tests"] if c["name"] == "estate_assignment_by_name_then_base"]
    given = {g["input"]: pd.DataFrame(g["rows"]) for g in case["given"]}
    con = duckdb.connect()
    con.execute("create schema intermediate")
    for table in ("int_estate_names", "int_estate_bases"):
        frame = given[f"ref('{table}')"]  # noqa: F841 (read by DuckDB)
        con.execute(f"create table intermediate.{table} as select * from frame")
    keys = given["ref('stg_satisfaction_survey')"]
    assigned = dict(con.execute(estate_assignment_sql("select estate_name_key as name_key from keys")).fetchall())
    expected = {r["questionnaire_no"]: r["estate_code"] for r in case["expect"]["rows"]}
    got = {q: assigned.get(k) for q, k in zip(keys["questionnaire_no"], keys["estate_name_key"])}
    assert got == expected
