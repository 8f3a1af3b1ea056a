"""A throwaway published warehouse with the marts' schemas and plausible rows, for working on the
dashboards and extracts before (or without) running the real pipeline.

    .venv/bin/python -m pipelines.superset_devdata /tmp/dev/warehouse/anju.duckdb

Three districts, six streets, twelve estates, 24 months ending 2026-10. Names and phones are
masked as the real marts mask them; no ID numbers. Nothing here is used by the real pipeline or the
tests: they run on the warehouse `anju run` publishes.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import uuid
from pathlib import Path

import duckdb

DISTRICTS = [("420102", "江城区"), ("420103", "平湖区"), ("420105", "东湖区")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
ESTATE_NAMES = ["幸福家园", "和谐苑", "安康小区", "阳光花园", "锦绣新村", "丰乐里", "滨江苑", "桂园", "安居一区", "安居二区", "翠湖苑", "长青小区"]
COMPLAINT_TYPES = ["邻里纠纷", "物业服务", "公共空间", "设施报修", "政策咨询", "其他"]
INDICATORS = ["satisfaction", "mediation", "fund_collection", "fee_collection", "participation", "service"]
WEIGHTS = dict(zip(INDICATORS, [30, 20, 15, 15, 10, 10]))
TARGETS = dict(zip(INDICATORS, [0.85, 0.90, 0.80, 0.75, 0.50, 0.90]))


def _months(end: dt.date = dt.date(2026, 10, 1), n: int = 24) -> list[dt.date]:
    out, y, m = [], end.year, end.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def build(path: Path, seed: int = 1) -> Path:
    rnd = random.Random(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    months = _months()
    estates = []
    i = 0
    for d_code, d_name in DISTRICTS:
        for s in range(2):
            s_code = f"{d_code}{s + 1:03d}"
            s_name = f"{d_name[:-1]}{['东', '西'][s]}街道"
            for _ in range(2):
                estates.append(dict(district_code=d_code, district_name=d_name, street_code=s_code, street_name=s_name,
                                    estate_code=f"AZ{d_code}{i:03d}", estate_name=ESTATE_NAMES[i],
                                    estate_type=rnd.choice(["老龄化", "新建", "老旧", "一般"]),
                                    residents=rnd.randint(300, 1500)))
                i += 1
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")

    score_rows = []
    for mi, month in enumerate(months):
        by_district: dict[str, list] = {}
        for e in estates:
            rates = {k: min(1.0, max(0.0, TARGETS[k] * rnd.uniform(0.6, 1.25))) for k in INDICATORS}
            if rnd.random() < 0.15:
                rates["mediation"] = None
            scores = {k: (None if v is None else 100 * min(1, v / TARGETS[k])) for k, v in rates.items()}
            num = sum(WEIGHTS[k] * s for k, s in scores.items() if s is not None)
            den = sum(WEIGHTS[k] for k, s in scores.items() if s is not None)
            total = round(num / den, 1)
            grade = "优秀" if total >= 80 else "合格" if total >= 60 else "不合格"
            n_ind = {"老龄化": "养老服务覆盖", "新建": "配套完备率", "老旧": "报修修复时长"}.get(e["estate_type"])
            n_val = {"养老服务覆盖": rnd.randint(0, 3), "配套完备率": rnd.randint(2, 6) / 6, "报修修复时长": rnd.uniform(20, 120)}.get(n_ind)
            res = e["residents"] + mi * 3
            row = dict(month=month, **{k: e[k] for k in ("district_code", "district_name", "street_code", "street_name", "estate_code", "estate_name", "estate_type")},
                       **{f"{k}_rate": v for k, v in rates.items()}, **{f"{k}_score": v for k, v in scores.items()},
                       total_score=total, grade=grade, n_indicator=n_ind, n_value=n_val,
                       residents_on_roll=res, households_on_roll=res // 3, aged_60_plus_share=rnd.uniform(0.15, 0.4))
            by_district.setdefault(e["district_code"], []).append(row)
        for rows in by_district.values():
            for r in rows:
                r["district_rank"] = 1 + sum(o["total_score"] > r["total_score"] for o in rows)
                lower = sum(o["total_score"] < r["total_score"] for o in rows)
                r["list_flag"] = "红榜" if r["grade"] == "优秀" and r["district_rank"] <= 3 else "黑榜" if r["grade"] == "不合格" and lower < 3 else None
            score_rows += rows
    cols = ["month", "district_code", "district_name", "street_code", "street_name", "estate_code", "estate_name", "estate_type",
            *[f"{k}_rate" for k in INDICATORS], *[f"{k}_score" for k in INDICATORS], "total_score", "grade", "district_rank",
            "list_flag", "n_indicator", "n_value", "residents_on_roll", "households_on_roll", "aged_60_plus_share"]
    types = {"month": "DATE", "total_score": "DECIMAL(4,1)", "district_rank": "INTEGER", "n_value": "DOUBLE",
             "residents_on_roll": "BIGINT", "households_on_roll": "BIGINT", "aged_60_plus_share": "DOUBLE"}
    for c in cols:
        types.setdefault(c, "DOUBLE" if c.endswith(("_rate", "_score")) else "VARCHAR")
    con.execute(f"CREATE TABLE marts.community_scorecard ({', '.join(f'{c} {types[c]}' for c in cols)})")
    con.executemany(f"INSERT INTO marts.community_scorecard VALUES ({', '.join('?' * len(cols))})", [[r[c] for c in cols] for r in score_rows])

    # city_overview: aggregates of the scorecard plus invented operational figures.
    con.execute("""
        CREATE TABLE marts.city_overview AS
        WITH base AS (
            SELECT month, district_code, district_name, estate_code, total_score, grade, list_flag,
                   residents_on_roll, households_on_roll, aged_60_plus_share, fund_collection_rate, fee_collection_rate
            FROM marts.community_scorecard
        ), agg AS (
            SELECT month,
                   CASE WHEN GROUPING(district_code) = 1 THEN NULL ELSE district_code END AS district_code,
                   CASE WHEN GROUPING(district_code) = 1 THEN '全市' ELSE any_value(district_name) END AS district_name,
                   count(*) AS estates, (sum(residents_on_roll) * 0.4)::BIGINT AS dwellings,
                   sum(residents_on_roll) AS residents_on_roll, sum(households_on_roll) AS households_on_roll,
                   avg(aged_60_plus_share) AS aged_60_plus_share, avg(total_score) AS avg_total_score,
                   count(*) FILTER (grade = '优秀') AS excellent_estates, count(*) FILTER (grade = '不合格') AS failing_estates,
                   count(*) FILTER (list_flag = '红榜') AS red_list_count, count(*) FILTER (list_flag = '黑榜') AS black_list_count,
                   avg(fund_collection_rate) AS fund_collection_rate, avg(fee_collection_rate) AS fee_collection_rate
            FROM base GROUP BY GROUPING SETS ((month), (month, district_code))
        )
        SELECT *, 0.7 + random() * 0.3 AS complaint_response_rate, 0.6 + random() * 0.4 AS complaint_closure_rate,
               0.7 + random() * 0.3 AS callback_satisfaction_rate, 150 + (random() * 200)::INT AS certificate_median_days,
               170 + (random() * 200)::INT AS certificate_mean_days, (random() * 80)::INT AS certificate_backlog,
               (random() * 20)::INT AS legacy_title_problems, (random() * 300)::INT AS resale_eligible_dwellings,
               random() AS owners_committee_rate, (random() * 50)::INT AS low_income_count, (random() * 40)::INT AS disabled_count,
               (random() * 60)::INT AS elderly_alone_count, (random() * 70)::INT AS unemployed_count, (random() * 30)::INT AS left_behind_children_count,
               random() * 200 AS fund_expenditure_w12,
               (random() * 40)::INT AS complaints_neighbour, (random() * 60)::INT AS complaints_property,
               (random() * 30)::INT AS complaints_public_space, (random() * 50)::INT AS complaints_repair,
               (random() * 20)::INT AS complaints_policy, (random() * 10)::INT AS complaints_other,
               (random() * 3)::INT AS estates_without_school_1km
        FROM agg
    """)
    con.execute("""
        CREATE TABLE marts.estate_summary AS
        SELECT district_code, district_name, street_code, street_name, estate_code, estate_name, residents_on_roll,
               households_on_roll, (residents_on_roll * 0.4)::BIGINT AS dwellings, (residents_on_roll * 0.36)::BIGINT AS dwellings_allocated
        FROM marts.community_scorecard WHERE month = (SELECT max(month) FROM marts.community_scorecard)
    """)

    # Per-dwelling, household, resident rows (masked as the marts mask them).
    dw, hh, rs, fee, comp, reg = [], [], [], [], [], []
    for e in estates:
        for b in range(1, 4):
            for room in (101, 102, 201, 202, 301):
                key = f"{e['estate_code']}-{b}-1-{room}"
                delivered = dt.date(2022, 1, 1) + dt.timedelta(days=rnd.randint(0, 1300))
                cert = delivered + dt.timedelta(days=rnd.randint(60, 500)) if rnd.random() < 0.7 else None
                if cert and cert > dt.date(2026, 10, 31):
                    cert = None
                status = rnd.choice(["已分配"] * 8 + ["待分配", "空置"])
                problem = rnd.choice([None] * 9 + ["用地性质未变更", "=规划调整"])
                dw.append((key, *(e[k] for k in ("district_code", "district_name", "street_code", "street_name", "estate_code", "estate_name")),
                           f"{b}栋", "1单元", str(room), round(rnd.uniform(50, 120), 2), status, delivered, cert, problem))
                if status != "已分配":
                    continue
                hkey = uuid.UUID(int=rnd.getrandbits(128)).hex[:16]
                surname = rnd.choice(SURNAMES)
                phone = f"1{rnd.choice('3589')}{rnd.randint(0, 9)}****{rnd.randint(0, 9999):04d}"
                members = rnd.randint(1, 5)
                hh.append((hkey, e["district_code"], e["district_name"], e["street_name"], e["estate_code"], e["estate_name"], key,
                           f"{surname}*", phone, members, members, rnd.choice(["城镇棚改", "农村拆迁", "旧城改造"])))
                for m in range(members):
                    rs.append((uuid.UUID(int=rnd.getrandbits(128)).hex[:16], hkey, e["district_code"], e["estate_code"],
                               f"{rnd.choice(SURNAMES) if m else surname}*", phone if m == 0 else None,
                               rnd.choice(["男", "女"]), rnd.randint(1, 90), True))
                for month in months[-12:]:
                    due = 180.0
                    paid = due if rnd.random() < 0.8 else 0.0
                    fee.append((e["district_code"], e["district_name"], e["estate_code"], e["estate_name"], key, month, due, 0.0,
                                paid, month + dt.timedelta(days=20) if paid else None))
    for n in range(400):
        e = rnd.choice(estates)
        t = dt.datetime(2025, 11, 1) + dt.timedelta(hours=rnd.randint(0, 8700))
        status = rnd.choice(["已办结"] * 6 + ["办理中", "已受理", "已退回", "重复件"])
        comp.append((f"GD{2025000000 + n}", e["district_code"], e["district_name"], e["street_name"], e["estate_code"], e["estate_name"],
                     t, rnd.choice(COMPLAINT_TYPES), rnd.choice(["噪音", "漏水", "停车", "收费", "电梯"]), f"{rnd.choice(SURNAMES)}**",
                     f"13{rnd.randint(0, 9)}****{rnd.randint(0, 9999):04d}", "+楼上漏水" if n == 7 else "楼道灯不亮", status,
                     t + dt.timedelta(hours=rnd.randint(1, 48)), t + dt.timedelta(days=rnd.randint(1, 20)) if status == "已办结" else None))
    for d in dw:
        if d[11] == "已分配":
            reg.append((d[0], *d[1:7], d[12], d[13], (d[13] - d[12]).days if d[13] else None, d[14]))
    con.execute("""CREATE TABLE marts.dim_dwelling (dwelling_key VARCHAR, district_code VARCHAR, district_name VARCHAR, street_code VARCHAR,
        street_name VARCHAR, estate_code VARCHAR, estate_name VARCHAR, building VARCHAR, entrance VARCHAR, room VARCHAR, floor_area DOUBLE,
        allocation_status VARCHAR, delivery_date DATE, certificate_date DATE, title_problem VARCHAR)""")
    con.executemany("INSERT INTO marts.dim_dwelling VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", dw)
    con.execute("""CREATE TABLE marts.dim_household (household_key VARCHAR, district_code VARCHAR, district_name VARCHAR, street_name VARCHAR,
        estate_code VARCHAR, estate_name VARCHAR, dwelling_key VARCHAR, head_name_masked VARCHAR, head_phone_masked VARCHAR,
        members INTEGER, members_on_roll INTEGER, resettlement_type VARCHAR)""")
    con.executemany("INSERT INTO marts.dim_household VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", hh)
    con.execute("""CREATE TABLE marts.dim_resident (resident_key VARCHAR, household_key VARCHAR, district_code VARCHAR, estate_code VARCHAR,
        name_masked VARCHAR, phone_masked VARCHAR, gender VARCHAR, age INTEGER, on_roll BOOLEAN)""")
    con.executemany("INSERT INTO marts.dim_resident VALUES (?,?,?,?,?,?,?,?,?)", rs)
    con.execute("""CREATE TABLE marts.fct_property_fee (district_code VARCHAR, district_name VARCHAR, estate_code VARCHAR, estate_name VARCHAR,
        dwelling_key VARCHAR, billing_month DATE, amount_due DOUBLE, amount_waived DOUBLE, amount_paid DOUBLE, paid_date DATE)""")
    con.executemany("INSERT INTO marts.fct_property_fee VALUES (?,?,?,?,?,?,?,?,?,?)", fee)
    con.execute("""CREATE TABLE marts.fct_complaint (order_no VARCHAR, district_code VARCHAR, district_name VARCHAR, street_name VARCHAR,
        estate_code VARCHAR, estate_name VARCHAR, received_at TIMESTAMP, complaint_type VARCHAR, complaint_subtype VARCHAR,
        caller_masked VARCHAR, phone_masked VARCHAR, content VARCHAR, status VARCHAR, first_response_at TIMESTAMP, closed_at TIMESTAMP)""")
    con.executemany("INSERT INTO marts.fct_complaint VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", comp)
    con.execute("""CREATE TABLE marts.fct_property_registration (dwelling_key VARCHAR, district_code VARCHAR, district_name VARCHAR,
        street_code VARCHAR, street_name VARCHAR, estate_code VARCHAR, estate_name VARCHAR, delivery_date DATE, certificate_date DATE,
        days_to_certificate INTEGER, title_problem VARCHAR)""")
    con.executemany("INSERT INTO marts.fct_property_registration VALUES (?,?,?,?,?,?,?,?,?,?,?)", reg)

    dq = []
    for src, dept in [("household", "区住房保障部门"), ("unit", "区房管局"), ("fund", "维修资金中心"), ("complaint", "12345热线"),
                      ("facility", "街道社区"), ("engagement", "街道社区")]:
        for k in range(3):
            read = rnd.randint(100, 5000)
            status = "quarantined" if rnd.random() < 0.15 else "loaded"
            rej = 0 if status == "quarantined" else rnd.randint(0, read // 20)
            arrived = dt.datetime(2026, 11, rnd.randint(1, 26), 9)
            dq.append((src, dept, f"{dept}{src}导出{k + 1}.xlsx", src, status, "缺少必填列：身份证号码" if status == "quarantined" else None,
                       read, 0 if status == "quarantined" else read - rej, rej, rnd.randint(0, 5), rnd.randint(0, 30),
                       dt.date(2026, 10, 31), arrived, (dt.datetime(2026, 11, 27) - arrived).days))
    con.execute("""CREATE TABLE marts.data_quality (source VARCHAR, department VARCHAR, file_name VARCHAR, kind_label VARCHAR, status VARCHAR,
        reason VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, rows_skipped BIGINT, unmatched_rows BIGINT,
        as_of DATE, arrived_at TIMESTAMP, days_since_arrival INTEGER)""")
    con.executemany("INSERT INTO marts.data_quality VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", dq)
    con.execute("CREATE TABLE marts.data_quality_rejects (file_name VARCHAR, rule VARCHAR, rows BIGINT)")
    con.executemany("INSERT INTO marts.data_quality_rejects VALUES (?,?,?)",
                    [(r[2], rnd.choice(["身份证号码校验位错误", "日期无法解析", "金额为负", "重复行"]), r[8]) for r in dq if r[8]])
    _reshape_to_real_marts(con)
    con.execute("CREATE TABLE marts.publication AS SELECT 'dev-' || gen_random_uuid()::VARCHAR AS snapshot_id, now()::TIMESTAMP AS published_at, DATE '2026-10-31' AS as_of")
    con.close()
    return path


def _reshape_to_real_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Rename and reshape the tables above to the column names the dbt marts use."""
    renames = {
        "city_overview": {"complaints_neighbour": "complaints_neighbour_dispute", "complaints_property": "complaints_property_service",
                          "complaints_repair": "complaints_facility_repair", "complaints_policy": "complaints_policy_enquiry",
                          "low_income_count": "special_dibao", "disabled_count": "special_disabled",
                          "elderly_alone_count": "special_elderly_alone", "unemployed_count": "special_unemployed",
                          "left_behind_children_count": "special_left_behind_children"},
        "data_quality": {"department": "department_name"},
    }
    for table, cols in renames.items():
        for old, new in cols.items():
            con.execute(f"ALTER TABLE marts.{table} RENAME COLUMN {old} TO {new}")
    con.execute("ALTER TABLE marts.city_overview ADD COLUMN complaints BIGINT")
    con.execute("UPDATE marts.city_overview SET complaints = complaints_neighbour_dispute + complaints_property_service + complaints_public_space + complaints_facility_repair + complaints_policy_enquiry + complaints_other")
    con.execute("ALTER TABLE marts.city_overview ADD COLUMN orders_dispatched BIGINT")
    con.execute("UPDATE marts.city_overview SET orders_dispatched = complaints + 3")
    con.execute("""CREATE TABLE marts.dim_estate AS SELECT DISTINCT estate_code, estate_name, district_code, district_name, street_code, street_name
                   FROM marts.community_scorecard""")
    con.execute("""CREATE OR REPLACE TABLE marts.dim_dwelling AS SELECT dwelling_key, estate_code, district_code, street_code, building, entrance, room,
                   building || entrance || room AS unit_no, floor_area, '两室一厅' AS layout, allocation_status, NULL AS owner_key, delivery_date,
                   NULL::DATE AS registration_date, certificate_date, 5 AS resale_restriction_years, NULL::DATE AS resale_eligible_date,
                   title_problem, DATE '2026-10-31' AS register_as_of FROM marts.dim_dwelling""")
    con.execute("""CREATE OR REPLACE TABLE marts.dim_resident AS SELECT resident_key, name_masked AS masked_name, household_key AS household_no,
                   r.estate_code, r.district_code, h.dwelling_key, CASE WHEN phone_masked IS NOT NULL THEN '户主' ELSE '子女' END AS relation,
                   gender AS sex, '35-59' AS age_band, age >= 60 AS aged_60_plus, NULL AS person_status, on_roll
                   FROM marts.dim_resident r JOIN marts.dim_household h USING (household_key)""")
    con.execute("""CREATE OR REPLACE TABLE marts.dim_household AS SELECT household_key AS household_no, estate_code, district_code, dwelling_key,
                   members, members_on_roll, true AS on_roll, false AS has_dibao_member, DATE '2026-10-31' AS roster_as_of FROM marts.dim_household""")
    con.execute("""CREATE OR REPLACE TABLE marts.fct_property_fee AS SELECT dwelling_key || strftime(billing_month, '%Y%m') AS fee_key, estate_code,
                   district_code, dwelling_key, '某物业' AS property_company, billing_month, amount_due, amount_waived,
                   amount_due - amount_waived AS amount_net_due, amount_paid AS amount_received, paid_date AS received_date
                   FROM marts.fct_property_fee""")
    con.execute("""CREATE OR REPLACE TABLE marts.fct_complaint AS SELECT order_no, estate_code, district_code, district_code AS reported_district_code,
                   received_at AS called_at, complaint_type, complaint_subtype, '否' AS is_dispute, received_at AS dispatched_at, first_response_at,
                   true AS responded_within_24h, closed_at, status, NULL AS mediation_result, NULL AS callback_result FROM marts.fct_complaint""")
    con.execute("""CREATE OR REPLACE TABLE marts.fct_property_registration AS SELECT DATE '2026-10-01' AS month, dwelling_key, estate_code, district_code,
                   '已分配' AS allocation_status, delivery_date, NULL::DATE AS registration_date, certificate_date, days_to_certificate,
                   certificate_date IS NULL AND delivery_date < DATE '2026-08-01' AS in_certificate_backlog, title_problem,
                   title_problem IS NOT NULL AND certificate_date IS NULL AS is_legacy_title_problem FROM marts.fct_property_registration""")
    con.execute("""CREATE OR REPLACE TABLE marts.data_quality AS SELECT source, department_name, file_name, md5(file_name) AS file_sha, kind_label AS kind,
                   kind_label, 'S' AS mode, 'xlsx' AS format, status, reason, rows_read, rows_loaded, rows_rejected, rows_skipped, 0 AS warnings,
                   unmatched_rows, as_of, 'file_name' AS as_of_from, arrived_at, days_since_arrival FROM marts.data_quality""")
    con.execute("""CREATE OR REPLACE TABLE marts.data_quality_rejects AS SELECT q.source, q.department_name, q.file_sha, r.file_name, q.kind, r.rule, r.rows
                   FROM marts.data_quality_rejects r JOIN marts.data_quality q USING (file_name)""")


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
