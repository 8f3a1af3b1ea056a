"""Truth of INDICATORS.md per estate and month, computed from the clean world (before any mess).

Snapshot kinds are read as the pipeline must read them: from the newest snapshot written on or before
month end (their cadences are in scales.py). Ledgers count in their final version. A ledger's figures are
computed for every month as soon as it is written (`Inputs.add_ledger`), so only one ledger is ever held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from . import fast
from .amenities import facility_status
from .ledgers import Ledger, on_roll
from .periods import cadence_months, month_end, month_last_day
from .snapshots import registered
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
    snapshot_months: dict[str, list[pd.Period]]  # kind code → months with a snapshot
    periods: pd.PeriodIndex
    # Figures that need a ledger, computed while it is in memory: name → month → value per estate code.
    figures: dict[str, dict[pd.Period, pd.Series]] = field(default_factory=dict)
    district: list[pd.DataFrame] = field(default_factory=list)  # district × month figures (from complaints)
    roll: tuple[pd.Timestamp, pd.DataFrame] | None = None  # the last roll asked for (months come in order)

    def roll_at(self, at: pd.Timestamp) -> pd.DataFrame:
        if self.roll is None or self.roll[0] != at:
            self.roll = (at, on_roll(self.world, at))
        return self.roll[1]

    def add_ledger(self, ledger: Ledger) -> None:
        """Keep what the scorecard needs from `ledger` (one ledger is in memory at a time)."""
        self.figures.update(LEDGER_FIGURES[ledger.kind.code](self, ledger, pd.Index(self.world.estates["estate_code"])))
        if ledger.kind.code == "complaints":
            self.district = [district_values(ledger.events, m) for m in self.periods]


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


def within(dates: pd.Series, month: pd.Period, months: int) -> pd.Series:
    """Dates inside the `months` months that end with `month` (its last instant included)."""
    return (dates >= (month - (months - 1)).to_timestamp()) & (dates <= month_end(month))


def month_values(inp: Inputs, month: pd.Period, facts: pd.DataFrame) -> pd.DataFrame:
    w = inp.world
    me = month_end(month)
    day = month_last_day(month)
    units_at = snapshot_date(inp.snapshot_months["units"], month)
    register_at = snapshot_date(inp.snapshot_months["register"], month)
    estates = w.estates[w.estates["registered_from"] <= register_at].set_index("estate_code")
    idx = estates.index
    out = pd.DataFrame(index=idx)

    for name in ("satisfaction_rate", "mediation_rate", "fund_collection_rate", "fee_collection_rate", "participation_rate"):
        out[name] = inp.figures[name][month].reindex(idx)

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
    roll = inp.roll_at(snapshot_date(inp.snapshot_months["roster"], month))
    codes = w.estates["estate_code"].to_numpy()
    on_roll_in = lambda member: pd.Series(np.bincount(roll["estate_idx"].to_numpy()[member], minlength=len(codes)), index=codes)
    birth = ymd(roll["birth_date"])
    share60 = rate(on_roll_in(birth + 600000 <= int(day.strftime("%Y%m%d"))), on_roll_in(slice(None)), idx)
    new = estates["first_delivery"] > day - pd.DateOffset(years=3)
    old = month.year - estates["built_year"] >= 10
    out["estate_type"] = np.select([share60 >= 0.3, new, old], ["老龄化", "新建", "老旧"], "一般")
    coverage = (idx.isin(facilities_with("养老服务站", ("正常",))).astype(int)
                + idx.isin(facilities_with("老年食堂", ("正常",))).astype(int)
                + (idx.isin(facilities_with("社区卫生服务站", ("正常",))) | idx.isin(services_within("社区卫生服务中心", 1000))).astype(int))
    completeness = sum(idx.isin(facilities_with(k, ("正常", "故障", "维修中"))).astype(int) for k in NEW_ESTATE_FACILITIES) / 6
    repair_hours = inp.figures["repair_hours"][month].reindex(idx)
    out["n_indicator"] = out["estate_type"].map({"老龄化": "养老服务覆盖", "新建": "配套完备率", "老旧": "报修修复时长"})
    out["n_value"] = np.select([out["estate_type"] == "老龄化", out["estate_type"] == "新建", out["estate_type"] == "老旧"],
                               [coverage, completeness, repair_hours.to_numpy()], np.nan)
    out["aged60_share"] = share60
    out["residents_on_roll"] = on_roll_in(slice(None)).reindex(idx).fillna(0).astype(int)
    for group in ("低保", "残疾", "独居老人", "失业", "留守儿童"):
        member = special_flags(w, group)[roll.index.to_numpy()]
        out[f"special_{group}"] = on_roll_in(member).reindex(idx).fillna(0).astype(int)
    out["committee"] = (estates["committee_date"] <= me)
    out = out.join(certificate_figures(w, facts, units_at, month), how="left")
    out["fund_usage_amount"] = inp.figures["fund_usage_amount"][month].reindex(idx)
    out = out.reset_index().rename(columns={"index": "estate_code"})
    out.insert(0, "month", month.to_timestamp())
    return out


# ---------------------------------------------------------------- figures that need a ledger, per month and estate
ByMonth = dict[str, dict[pd.Period, pd.Series]]  # figure → month → value per estate code


def satisfaction(inp: Inputs, ledger: Ledger, codes: pd.Index) -> ByMonth:
    s = ledger.events[["month", "estate_code", "answer"]]
    out = {}
    for month in inp.periods:
        m = s[(s["month"] >= (month - 2).strftime("%Y-%m")) & (s["month"] <= month.strftime("%Y-%m"))]
        out[month] = rate(m[m["answer"] <= 1].groupby("estate_code").size(), m.groupby("estate_code").size(), codes)
    return {"satisfaction_rate": out}


def mediation(inp: Inputs, ledger: Ledger, codes: pd.Index) -> ByMonth:
    c = ledger.events
    c = c.loc[c["dispute"] & (c["final"] == "已办结") & (c["estate_code"] != ""), ["estate_code", "close", "result"]]
    out = {}
    for month in inp.periods:
        m = c[within(c["close"], month, 3)]
        out[month] = rate(m[m["result"] == "调解成功"].groupby("estate_code").size(), m.groupby("estate_code").size(), codes)
    return {"mediation_rate": out}


def fund_collection(inp: Inputs, ledger: Ledger, codes: pd.Index) -> ByMonth:
    w = inp.world
    d = ledger.events
    estate, labels = pd.factorize(d["estate_code"])  # group by integers, label by code
    last_pay = d["pay2_date"].fillna(d["pay1_date"]).to_numpy()
    paid = (d["pay1_amt"] + d["pay2_amt"]).to_numpy()
    due = d["due"].to_numpy()
    delivered = w.dwellings["delivery_date"].to_numpy()[d["dwelling_id"].to_numpy()]
    listed_from = w.estates.set_index("estate_code")["registered_from"].reindex(labels).to_numpy()[estate]
    first = (d["type"] == "首期归集").to_numpy() & (due > 0)
    topup = (d["type"] == "续筹").to_numpy() & (due > 0)
    first_export = ledger.first_export_dates()

    def by_estate(values: np.ndarray, rows: np.ndarray) -> pd.Series:
        sums = pd.Series(values[rows]).groupby(estate[rows]).sum()
        return sums.set_axis(labels[sums.index.to_numpy()])

    out = {}
    for month in inp.periods:
        me = np.datetime64(month_end(month))
        units_at = np.datetime64(snapshot_date(inp.snapshot_months["units"], month))
        first_due = first & (listed_from <= units_at) & (delivered <= units_at) & (delivered <= me)
        out[month] = rate(by_estate(paid, last_pay <= me), by_estate(due, first_due | (topup & (first_export <= me))), codes)
    return {"fund_collection_rate": out}


def fee_collection(inp: Inputs, ledger: Ledger, codes: pd.Index) -> ByMonth:
    f = ledger.events
    billed = f["month"].to_numpy()
    estates = inp.world.households["estate_idx"].to_numpy()
    n_estates = len(codes)
    out = {}
    for month in inp.periods:
        window = np.flatnonzero((billed >= (month - 11).ordinal) & (billed <= month.ordinal))
        household = f["household_id"].to_numpy()[window]
        net = ledger.net[household]
        paid = f["paid"].to_numpy()[window] <= np.datetime64(month_last_day(month), "D").astype(np.int64)
        estate_of = estates[household]
        out[month] = rate(pd.Series(np.bincount(estate_of[paid], net[paid], n_estates), index=codes),
                          pd.Series(np.bincount(estate_of, net, n_estates), index=codes).where(
                              np.bincount(estate_of, minlength=n_estates) > 0), codes)
    return {"fee_collection_rate": out}


def participation(inp: Inputs, ledger: Ledger, codes: pd.Index) -> ByMonth:
    ev = ledger.events.loc[ledger.events["linked"], ["date", "person_id"]]
    estate_of = inp.world.households["estate_idx"].to_numpy()
    out = {}
    for month in inp.periods:
        roll = inp.roll_at(snapshot_date(inp.snapshot_months["roster"], month))
        took_part = ev.loc[within(ev["date"], month, 12), "person_id"]
        active = roll["person_id"].isin(took_part).to_numpy()

        def households(members: np.ndarray) -> pd.Series:
            return pd.Series(np.bincount(estate_of[np.unique(roll["household_id"].to_numpy()[members])], minlength=len(codes)),
                             index=codes)

        out[month] = rate(households(active), households(np.ones(len(roll), dtype=bool)), codes)
    return {"participation_rate": out}


def repair_time(inp: Inputs, ledger: Ledger, codes: pd.Index) -> ByMonth:
    r = ledger.events
    out = {}
    for month in inp.periods:
        m = r[within(r["done"], month, 3)]
        out[month] = ((m["done"] - m["report"]).dt.total_seconds() / 3600).groupby(m["estate_code"]).median().reindex(codes)
    return {"repair_hours": out}


def fund_usage(inp: Inputs, ledger: Ledger, codes: pd.Index) -> ByMonth:
    fu = ledger.events
    out = {}
    for month in inp.periods:
        m = fu[within(fu["disburse"], month, 12)]
        out[month] = m.groupby("estate_code")["amount"].sum().reindex(codes).fillna(0).round(2)
    return {"fund_usage_amount": out}


LEDGER_FIGURES = {"surveys": satisfaction, "complaints": mediation, "deposits": fund_collection, "fees": fee_collection,
                  "participation": participation, "repairs": repair_time, "fund_usage": fund_usage}


_SPECIAL: dict[tuple[int, str], np.ndarray] = {}


def special_flags(w: World, group: str) -> np.ndarray:
    """Whether each person (by position = person_id) is in a special group; computed once per world."""
    key = (id(w.persons), group)
    if key not in _SPECIAL:
        _SPECIAL[key] = pc.match_substring(fast.arrow(w.persons["special"]), group).to_numpy(zero_copy_only=False)
    return _SPECIAL[key]


def dwelling_facts(w: World) -> pd.DataFrame:
    """The dates and flags of every dwelling that the certificate figures read, once (numbers only)."""
    d = w.dwellings
    sign = np.full(len(d), np.datetime64("NaT"), dtype=w.households["sign_date"].dtype)
    sign[w.households["dwelling_id"].to_numpy()] = w.households["sign_date"].to_numpy()
    resale_years = fast.arrow(d["resale_years"])
    years = np.full(len(d), 5)  # 5 where none is stated
    for text in ("3", "10"):
        years[pc.equal(resale_years, text).to_numpy(zero_copy_only=False)] = int(text)
    return pd.DataFrame({
        "estate_idx": d["estate_idx"].to_numpy(), "allocated": d["allocated"].to_numpy(), "sign_date": sign,
        "delivery_date": d["delivery_date"].to_numpy(), "cert_date": d["cert_date"].to_numpy(),
        "problem": pc.not_equal(fast.arrow(d["title_problem"]), "").to_numpy(zero_copy_only=False),
        "resale_from": add_years(d["cert_date"], pd.Series(years, index=d.index)).to_numpy(),
    })


def certificate_figures(w: World, facts: pd.DataFrame, units_at: pd.Timestamp, month: pd.Period) -> pd.DataFrame:
    """产权登记时长 / 办证积压 / 历史遗留产权问题 / 可上市交易, from the 房源台账 snapshot for the month."""
    me = month_end(month)
    d = facts[registered(w, units_at)[facts["estate_idx"].to_numpy()]]
    allocated = d["allocated"].to_numpy() & (d["sign_date"] <= units_at).to_numpy()
    delivery = d["delivery_date"].where(d["delivery_date"] <= units_at)
    cert = d["cert_date"].where((d["cert_date"] <= units_at) & allocated)
    issued = within(cert, month, 12) & delivery.notna()
    days = (cert - delivery).dt.days[issued]
    e = d["estate_idx"].to_numpy()
    codes = w.estates["estate_code"].to_numpy()
    present = np.unique(e)

    def count(flags) -> pd.Series:
        return pd.Series(np.bincount(e[np.asarray(flags)], minlength=len(codes))[present], index=codes[present])

    def by_code(s: pd.Series) -> pd.Series:
        return s.set_axis(codes[s.index.to_numpy()])

    return pd.DataFrame({
        "cert_median_days": by_code(days.groupby(e[issued.to_numpy()]).median()),
        "cert_mean_days": by_code(days.groupby(e[issued.to_numpy()]).mean()),
        "cert_backlog": count(allocated & (delivery < me.normalize() - pd.Timedelta(days=90)) & cert.isna()),
        "title_problems": count(d["problem"] & cert.isna() & allocated),
        "resale_eligible": count(d["resale_from"].where(cert.notna()) <= me),
    })


def add_years(dates: pd.Series, years: pd.Series) -> pd.Series:
    """Same day N years later; 29 February becomes 28 February in a common year."""
    year = dates.dt.year + years
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = dates.dt.day.where(~((dates.dt.month == 2) & (dates.dt.day == 29) & ~leap), 28)
    parts = pd.DataFrame({"year": year, "month": dates.dt.month, "day": day})
    return pd.to_datetime(parts.where(dates.notna()).dropna().astype(int)).reindex(dates.index)


def district_values(c: pd.DataFrame, month: pd.Period) -> pd.DataFrame:
    """投诉响应及时率 / 办结率 (by 所属区县, unmatched orders included) and 回访满意率, from the 12345 orders."""
    me = month_end(month)
    start = month.to_timestamp()
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


def compute(inp: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard and the district figures, once every ledger has been added."""
    w = inp.world
    _SPECIAL.clear()
    facts = dwelling_facts(w)
    scorecard = pd.concat([month_values(inp, m, facts) for m in inp.periods], ignore_index=True)
    names = w.estates.set_index("estate_code")
    scorecard["estate_name"] = names.loc[scorecard["estate_code"], "estate_name"].to_numpy()
    scorecard["street_code"] = names.loc[scorecard["estate_code"], "street_code"].to_numpy()
    scorecard["district_name"] = w.districts.set_index("district_code").loc[scorecard["district_code"], "district_name"].to_numpy()
    scorecard["street_name"] = w.streets.set_index("street_code").loc[scorecard["street_code"], "street_name"].to_numpy()
    return scorecard, pd.concat(inp.district, ignore_index=True)


def snapshot_months(periods: pd.PeriodIndex, every: dict[str, int]) -> dict[str, list[pd.Period]]:
    return {kind: cadence_months(periods, n) for kind, n in every.items()}
