"""Truth of INDICATORS.md per estate and month, computed from the clean world (before any mess).

Snapshot kinds are read as the pipeline must read them: from the newest snapshot written on or before
month end (their cadences are in scales.py). Ledgers count in their final version.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .amenities import facility_status
from .ledgers import Ledger, on_roll
from .periods import cadence_months, month_end, month_last_day
from .world import World

# Weights and targets by assessment year (考核指标动态调整机制): data, not code.
WEIGHTS = {year: {"satisfaction": (30, 0.85), "mediation": (20, 0.90), "fund_collection": (15, 0.80),
                  "fee_collection": (15, 0.75), "participation": (10, 0.50), "service": (10, 0.90)}
           for year in range(2023, 2027)}
SERVICE_STANDARDS = {"小学": 1000, "幼儿园": 1000, "社区卫生服务中心": 1000, "公交站点": 500, "菜市场": 1000}
NEW_ESTATE_FACILITIES = ["养老服务站", "社区卫生服务站", "四点半课堂", "老年食堂", "文化活动室", "充电桩"]


@dataclass
class Inputs:
    world: World
    facilities: pd.DataFrame
    services: pd.DataFrame
    ledgers: dict[str, Ledger]
    snapshot_months: dict[str, list[pd.Period]]  # kind code → months with a snapshot


def snapshot_date(months: list[pd.Period], month: pd.Period) -> pd.Timestamp | None:
    usable = [m for m in months if m <= month]
    return month_last_day(max(usable)) if usable else None


def ymd(values: pd.Series) -> np.ndarray:
    return (values.dt.year * 10000 + values.dt.month * 100 + values.dt.day).to_numpy()


def round_half_up(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rate(num: pd.Series, den: pd.Series, index: pd.Index) -> pd.Series:
    num = num.reindex(index).fillna(0)
    den = den.reindex(index).fillna(0)
    return (num / den).where(den > 0)


def month_values(inp: Inputs, month: pd.Period) -> pd.DataFrame:
    w = inp.world
    me = month_end(month)
    day = month_last_day(month)
    w3_start = (month - 2).to_timestamp()
    w12_start = (month - 11).to_timestamp()
    register_at = snapshot_date(inp.snapshot_months["register"], month)
    estates = w.estates[w.estates["registered_from"] <= register_at].set_index("estate_code")
    idx = estates.index
    out = pd.DataFrame(index=idx)

    s = inp.ledgers["surveys"].events
    s = s[(s["month"] >= (month - 2).strftime("%Y-%m")) & (s["month"] <= month.strftime("%Y-%m"))]
    out["satisfaction_rate"] = rate(s[s["answer"] <= 1].groupby("estate_code").size(), s.groupby("estate_code").size(), idx)

    c = inp.ledgers["complaints"].events
    c = c[c["dispute"] & (c["final"] == "已办结") & (c["close"] >= w3_start) & (c["close"] <= me) & (c["estate_code"] != "")]
    out["mediation_rate"] = rate(c[c["result"] == "调解成功"].groupby("estate_code").size(), c.groupby("estate_code").size(), idx)

    d = inp.ledgers["deposits"].events
    last_pay = d["pay2_date"].fillna(d["pay1_date"])
    paid = d["pay1_amt"] + d["pay2_amt"]
    numerator = paid[last_pay <= me].groupby(d.loc[last_pay <= me, "estate_code"]).sum()
    units_at = snapshot_date(inp.snapshot_months["units"], month)
    delivered = w.dwellings.set_index("dwelling_id")["delivery_date"].reindex(d["dwelling_id"]).to_numpy()
    in_units = w.estates.set_index("estate_code")["registered_from"].reindex(d["estate_code"]).to_numpy() <= units_at
    first_due = (d["type"] == "首期归集").to_numpy() & in_units & (delivered <= units_at) & (delivered <= me)
    topup_due = (d["type"] == "续筹").to_numpy() & (d["first_export"] <= me).to_numpy()
    owed = d[(d["due"] > 0).to_numpy() & (first_due | topup_due)]
    out["fund_collection_rate"] = rate(numerator, owed.groupby("estate_code")["due"].sum(), idx)

    f = inp.ledgers["fees"].events
    f = f[(f["billed"] >= (month - 11).to_timestamp()) & (f["billed"] <= month.to_timestamp())]
    net = (f["due"] - f["waiver"]).to_numpy()
    paid = (f["paid_date"] <= me).to_numpy()
    estate_of = w.households["estate_idx"].to_numpy()[f["household_id"].to_numpy()]
    n_estates = len(w.estates)
    codes = w.estates["estate_code"].to_numpy()
    out["fee_collection_rate"] = rate(pd.Series(np.bincount(estate_of[paid], net[paid], n_estates), index=codes),
                                      pd.Series(np.bincount(estate_of, net, n_estates), index=codes).where(
                                          np.bincount(estate_of, minlength=n_estates) > 0), idx)

    roster_at = snapshot_date(inp.snapshot_months["roster"], month)
    roll = on_roll(w, roster_at)
    pa = inp.ledgers["participation"].events
    pa = pa[pa["linked"] & (pa["date"] >= w12_start) & (pa["date"] <= me)]
    active = roll[roll["person_id"].isin(pa["person_id"])]
    out["participation_rate"] = rate(active.groupby("estate_code")["household_id"].nunique(),
                                     roll.groupby("estate_code")["household_id"].nunique(), idx)

    services_at = snapshot_date(inp.snapshot_months["services"], month)
    sv = inp.services[inp.services["estate_code"].isin(w.estates.loc[w.estates["registered_from"] <= services_at, "estate_code"])]
    facilities_at = snapshot_date(inp.snapshot_months["facilities"], month)
    fa = inp.facilities[(inp.facilities["commissioned"] <= facilities_at)
                        & inp.facilities["estate_code"].isin(w.estates.loc[w.estates["registered_from"] <= facilities_at, "estate_code"])]
    fa = fa.assign(status=facility_status(fa, facilities_at))

    def services_within(kind: str, metres: int) -> pd.Index:
        return pd.Index(sv.loc[(sv["type"] == kind) & (sv["distance"] <= metres), "estate_code"].unique())

    def facilities_with(kind: str, statuses: tuple[str, ...]) -> pd.Index:
        return pd.Index(fa.loc[(fa["type"] == kind) & fa["status"].isin(statuses), "estate_code"].unique())

    met = sum(idx.isin(services_within(k, m)).astype(int) for k, m in SERVICE_STANDARDS.items())
    elderly = idx.isin(facilities_with("养老服务站", ("正常",))) | idx.isin(services_within("养老服务设施", 1000))
    out["service_rate"] = (met + elderly.astype(int)) / 6

    weights = WEIGHTS[month.year]
    total_w = pd.Series(0.0, index=idx)
    total = pd.Series(0.0, index=idx)
    for name, (weight, target) in weights.items():
        value = out[f"{name}_rate"]
        out[f"{name}_score"] = 100 * np.minimum(1, value / target)
        total += (weight * out[f"{name}_score"]).fillna(0)
        total_w += np.where(value.notna(), weight, 0)
    out["total_score"] = [round_half_up(t / tw) if tw > 0 else np.nan for t, tw in zip(total, total_w)]
    out["grade"] = np.select([out["total_score"] >= 80, out["total_score"] >= 60], ["优秀", "合格"], "不合格")
    out.loc[out["total_score"].isna(), "grade"] = None
    out["district_code"] = estates["district_code"]
    out["district_rank"] = out.groupby("district_code")["total_score"].rank(ascending=False, method="min").astype("Int64")
    strictly_lower = out.groupby("district_code")["total_score"].rank(method="min") - 1
    out["list_flag"] = np.select([(out["grade"] == "优秀") & (out["district_rank"] <= 3),
                                  (out["grade"] == "不合格") & (strictly_lower < 3)], ["红榜", "黑榜"], None)

    # N: estate type and its indicator.
    birth = ymd(roll["birth_date"])
    aged60 = pd.Series(birth + 600000 <= int(day.strftime("%Y%m%d")), index=roll.index)
    share60 = rate(aged60.groupby(roll["estate_code"]).sum(), roll.groupby("estate_code").size(), idx)
    new = estates["first_delivery"] > day - pd.DateOffset(years=3)
    old = month.year - estates["built_year"] >= 10
    out["estate_type"] = np.select([share60 >= 0.3, new, old], ["老龄化", "新建", "老旧"], "一般")
    coverage = (idx.isin(facilities_with("养老服务站", ("正常",))).astype(int)
                + idx.isin(facilities_with("老年食堂", ("正常",))).astype(int)
                + (idx.isin(facilities_with("社区卫生服务站", ("正常",))) | idx.isin(services_within("社区卫生服务中心", 1000))).astype(int))
    completeness = sum(idx.isin(facilities_with(k, ("正常", "故障", "维修中"))).astype(int) for k in NEW_ESTATE_FACILITIES) / 6
    r = inp.ledgers["repairs"].events
    r = r[(r["done"] >= w3_start) & (r["done"] <= me)]
    repair_hours = ((r["done"] - r["report"]).dt.total_seconds() / 3600).groupby(r["estate_code"]).median().reindex(idx)
    out["n_indicator"] = out["estate_type"].map({"老龄化": "养老服务覆盖", "新建": "配套完备率", "老旧": "报修修复时长"})
    out["n_value"] = np.select([out["estate_type"] == "老龄化", out["estate_type"] == "新建", out["estate_type"] == "老旧"],
                               [coverage, completeness, repair_hours.to_numpy()], np.nan)
    out["aged60_share"] = share60
    out["residents_on_roll"] = roll.groupby("estate_code").size().reindex(idx).fillna(0).astype(int)
    for group in ("低保", "残疾", "独居老人", "失业", "留守儿童"):
        member = special_flags(w, group)[roll.index.to_numpy()]
        out[f"special_{group}"] = roll[member].groupby("estate_code").size().reindex(idx).fillna(0).astype(int)
    out["committee"] = (estates["committee_date"] <= me)
    out = out.join(certificate_figures(w, units_at, month), how="left")
    fu = inp.ledgers["fund_usage"].events
    fu = fu[(fu["disburse"] >= w12_start) & (fu["disburse"] <= me)]
    out["fund_usage_amount"] = fu.groupby("estate_code")["amount"].sum().reindex(idx).fillna(0).round(2)
    out = out.reset_index().rename(columns={"index": "estate_code"})
    out.insert(0, "month", month.to_timestamp())
    return out


_SPECIAL: dict[tuple[int, str], np.ndarray] = {}


def special_flags(w: World, group: str) -> np.ndarray:
    """Whether each person (by position = person_id) is in a special group; computed once per world."""
    key = (id(w.persons), group)
    if key not in _SPECIAL:
        _SPECIAL[key] = w.persons["special"].str.contains(group, regex=False).to_numpy(dtype=bool)
    return _SPECIAL[key]


def certificate_figures(w: World, units_at: pd.Timestamp, month: pd.Period) -> pd.DataFrame:
    """产权登记时长 / 办证积压 / 历史遗留产权问题 / 可上市交易, from the 房源台账 snapshot for the month."""
    me = month_end(month)
    d = w.dwellings[w.dwellings["estate_code"].isin(w.estates.loc[w.estates["registered_from"] <= units_at, "estate_code"])]
    signed = w.households.set_index("dwelling_id")["sign_date"].reindex(d["dwelling_id"]).to_numpy() <= units_at
    allocated = d["allocated"].to_numpy() & signed
    delivery = d["delivery_date"].where(d["delivery_date"] <= units_at)
    cert = d["cert_date"].where((d["cert_date"] <= units_at) & allocated)
    issued = (cert >= (month - 11).to_timestamp()) & (cert <= me) & delivery.notna()
    days = (cert - delivery).dt.days[issued]
    g = d["estate_code"]
    backlog = allocated & (delivery < me.normalize() - pd.Timedelta(days=90)) & cert.isna()
    problem = (d["title_problem"] != "") & cert.isna() & allocated
    years = pd.Series(d["resale_years"].map({"": 5, "3": 3, "5": 5, "10": 10}).fillna(5).astype(int).to_numpy(), index=d.index)
    resale = add_years(cert, years)
    return pd.DataFrame({
        "cert_median_days": days.groupby(g[issued]).median(),
        "cert_mean_days": days.groupby(g[issued]).mean(),
        "cert_backlog": backlog.groupby(g).sum(),
        "title_problems": problem.groupby(g).sum(),
        "resale_eligible": (resale <= me).groupby(g).sum(),
    })


def add_years(dates: pd.Series, years: pd.Series) -> pd.Series:
    """Same day N years later; 29 February becomes 28 February in a common year."""
    year = dates.dt.year + years
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = dates.dt.day.where(~((dates.dt.month == 2) & (dates.dt.day == 29) & ~leap), 28)
    parts = pd.DataFrame({"year": year, "month": dates.dt.month, "day": day})
    return pd.to_datetime(parts.where(dates.notna()).dropna().astype(int)).reindex(dates.index)


def district_values(inp: Inputs, month: pd.Period) -> pd.DataFrame:
    """投诉响应及时率 / 办结率 (by 所属区县, unmatched orders included) and 回访满意率."""
    me = month_end(month)
    start = month.to_timestamp()
    c = inp.ledgers["complaints"].events
    closed = c["final"].where(c["close"].notna(), "办理中")
    dispatched = c[(c["dispatch"] >= start) & (c["dispatch"] <= me) & (closed != "重复件")]
    timely = (dispatched["response"] - dispatched["dispatch"]) <= pd.Timedelta(hours=24)
    done = (closed.loc[dispatched.index] == "已办结") & (dispatched["close"] <= me)
    g = dispatched["district_code"]
    cb = c[(closed == "已办结") & (c["close"] >= start) & (c["close"] <= me) & c["callback_at"].notna() & (c["callback"] != "未回访")]
    return pd.DataFrame({
        "orders_dispatched": g.value_counts(),
        "response_timely_rate": timely.groupby(g).mean(),
        "closure_rate": done.groupby(g).mean(),
        "callback_satisfied_rate": cb["callback"].isin(["满意", "基本满意"]).groupby(cb["district_code"]).mean(),
    }).rename_axis("district_code").reset_index().assign(month=month.to_timestamp())


def compute(inp: Inputs, periods: pd.PeriodIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    w = inp.world
    _SPECIAL.clear()
    scorecard = pd.concat([month_values(inp, m) for m in periods], ignore_index=True)
    names = w.estates.set_index("estate_code")
    scorecard["estate_name"] = names.loc[scorecard["estate_code"], "estate_name"].to_numpy()
    scorecard["street_code"] = names.loc[scorecard["estate_code"], "street_code"].to_numpy()
    scorecard["district_name"] = w.districts.set_index("district_code").loc[scorecard["district_code"], "district_name"].to_numpy()
    scorecard["street_name"] = w.streets.set_index("street_code").loc[scorecard["street_code"], "street_name"].to_numpy()
    districts = pd.concat([district_values(inp, m) for m in periods], ignore_index=True)
    return scorecard, districts


def snapshot_months(periods: pd.PeriodIndex, every: dict[str, int]) -> dict[str, list[pd.Period]]:
    return {kind: cadence_months(periods, n) for kind, n in every.items()}
