"""Ledger kinds: the clean events of the world, and their state as a department exports it on a date.

Each ledger is one row per event (its key), with the dates on which the event changes. A monthly export
carries every event that changed in that month or the month before (the overlap), in its state at the
export date; the first export is a backfill of everything before it. A ledger renders any subset of its
events (`render(events, export date, their rows in the file)`), so an export is written a chunk at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import fast
from .kinds import COMPLAINTS, DEPOSITS, FEES, FUND_USAGE, PARTICIPATION, REPAIRS, SURVEYS, Kind
from .snapshots import dwelling_label, fmt_date, registered
from .truth import TABLE_CHUNK
from .world import World

NaT = pd.NaT


@dataclass
class Ledger:
    kind: Kind
    events: pd.DataFrame  # one row per event; `render` and the world table give its estate, dwelling, person, key
    change_cols: list[str]
    render: Callable[[pd.DataFrame, pd.Timestamp, np.ndarray], pd.DataFrame]
    # The world table of some events given their first export dates, when events do not hold every column.
    table_of: Callable[[pd.DataFrame, np.ndarray], pd.DataFrame] | None = None
    first_export: np.ndarray | None = None  # set by write_ledger: number of the first export carrying each event, -1 none
    export_dates: np.ndarray | None = None  # set by write_ledger: the date of each export

    def change_months(self) -> list[np.ndarray]:
        """Per change column, the month (pandas Period ordinal) each event changed, -1 for none."""
        months = []
        for c in self.change_cols:
            s = pd.to_datetime(self.events[c])
            months.append(((s.dt.year - 1970) * 12 + s.dt.month - 1).fillna(-1).astype(np.int16).to_numpy())
        return months

    def earliest(self) -> pd.Timestamp:
        """The first change of any event."""
        return pd.to_datetime(self.events[self.change_cols].min(axis=None))

    def first_export_dates(self, events: slice = slice(None)) -> np.ndarray:
        dates = np.append(self.export_dates.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
        return dates[self.first_export[events]]  # -1 picks the NaT appended last

    def tables(self) -> Iterator[pd.DataFrame]:
        """world/<kind>.parquet a chunk at a time: the events, and the date of the first export that carried each."""
        for start in range(0, max(len(self.events), 1), TABLE_CHUNK):
            chunk = slice(start, start + TABLE_CHUNK)
            if self.table_of is None:
                yield self.events.iloc[chunk].assign(first_export=self.first_export_dates(chunk))
            else:
                yield self.table_of(self.events.iloc[chunk], self.first_export_dates(chunk))


def upto(values: pd.Series, at: pd.Timestamp) -> pd.Series:
    """Dates not yet happened at `at` are unknown to the export."""
    return values.where(values <= at)


def fmt_dt(values) -> np.ndarray:
    return fast.strings(fast.dates(values, "%Y-%m-%d %H:%M:%S"))


def money(values) -> np.ndarray:
    return fast.strings(fast.money(values))


def truth_cols(ev: pd.DataFrame) -> dict:
    return {"_estate": ev["estate_code"].array, "_dwelling": ev["dwelling_id"].to_numpy(),
            "_person": ev["person_id"].to_numpy(), "_key": ev["key"].array}


def estate_lookup(world: World, col: str) -> pd.Series:
    return world.estates.set_index("estate_code")[col]


def estate_codes(world: World, estate_idx) -> np.ndarray:
    """Estate codes by estate position, sharing the register's string objects (no new object per row)."""
    return world.estates["estate_code"].to_numpy()[np.asarray(estate_idx)]


def stamp(values: pd.Series, fmt: str) -> pa.Array:
    """Dates as YYYYMM or YYYYMMDD text, for keys."""
    return pc.replace_substring(fast.dates(values, fmt), "-", "")


def offset_days(rng: np.random.Generator, low, high, n) -> pd.TimedeltaIndex:
    return pd.to_timedelta(rng.integers(low, high, size=n), unit="D")


def masked_phone(phones: pa.Array) -> pa.Array:
    """138****5678"""
    return fast.join(pc.utf8_slice_codeunits(phones, 0, 3), "****", pc.utf8_slice_codeunits(phones, 7))


# ---------------------------------------------------------------- fund: 专项维修资金缴存明细


def deposits(world: World, rng: np.random.Generator) -> Ledger:
    d = world.dwellings[world.dwellings["delivery_date"] <= world.end]
    q = world.estates["quality"].to_numpy()[d["estate_idx"].to_numpy()]
    n = len(d)
    # Yuan per ㎡ by the city's 2007 tiers: no lift 70; with lift 130 below 12 floors, 145 from 12 up.
    rate = np.where(d["has_lift"], np.where(d["floor"].groupby(d["estate_idx"]).transform("max") >= 12, 145.0, 130.0), 70.0)
    due = np.round(d["area"].to_numpy() * rate, 2)
    first = pd.DataFrame({"dwelling_id": d["dwelling_id"].to_numpy(), "estate_code": estate_codes(world, d["estate_idx"]),
                          "type": "首期归集", "due": due, "created": d["delivery_date"].to_numpy(),
                          "gov_paid": ~d["allocated"].to_numpy(), "q": q})
    # 续筹: some older estates ran their fund down and called a top-up inside the window.
    e = world.estates
    topup_estates = e[(e["first_delivery"] < world.start - pd.DateOffset(years=6)) & (rng.random(len(e)) < 0.5)]
    call = world.start + offset_days(rng, 30, (world.end - world.start).days - 60, len(topup_estates))
    calls = pd.Series(call.to_numpy(), index=topup_estates["estate_code"].to_numpy())
    t = first[first["estate_code"].isin(calls.index)].copy()
    t["type"] = "续筹"
    t["due"] = np.round(t["due"] * 0.3, 2)
    t["created"] = calls.reindex(t["estate_code"]).to_numpy()
    ev = pd.concat([first, t], ignore_index=True)
    n = len(ev)
    pays = rng.random(n) < np.where(ev["gov_paid"], 0.98, 0.22 + 0.8 * ev["q"])
    partial = pays & (rng.random(n) < 0.15)
    lag1 = rng.exponential(90, size=n) + 5
    ev["pay1_date"] = pd.DatetimeIndex(np.where(pays, ev["created"] + pd.to_timedelta(lag1.round(), unit="D"), NaT))
    ev["pay1_amt"] = np.where(pays, np.where(partial, np.round(ev["due"] * rng.uniform(0.3, 0.7, size=n), 2), ev["due"]), 0.0)
    completes = partial & (rng.random(n) < 0.6)
    ev["pay2_date"] = pd.DatetimeIndex(np.where(completes, ev["pay1_date"] + offset_days(rng, 20, 300, n), NaT))
    ev["pay2_amt"] = np.where(completes, ev["due"] - ev["pay1_amt"], 0.0)
    for i in (1, 2):  # payments after the window are not known yet
        future = ev[f"pay{i}_date"] > world.end
        ev.loc[future, f"pay{i}_date"] = NaT
        ev.loc[future, f"pay{i}_amt"] = 0.0
    ev["note"] = np.where(ev["gov_paid"], "政府代缴", "")
    # 冲正: a few payments are reversed by a row of their own, weeks later.
    paid = ev[ev["pay1_amt"] > 0]
    rev = paid.sample(frac=0.006, random_state=int(rng.integers(2**31))) if len(paid) else paid
    rev = rev.assign(created=rev["pay1_date"] + offset_days(rng, 7, 60, len(rev)))
    rev = rev[rev["created"] <= world.end]
    ev["key"] = fast.strings(fast.join("WX", stamp(ev["created"], "%Y-%m"), fast.zfill(np.arange(len(ev)), 7)))
    reversals = pd.DataFrame({
        "dwelling_id": rev["dwelling_id"].to_numpy(), "estate_code": rev["estate_code"].to_numpy(), "type": rev["type"].to_numpy(),
        "due": 0.0, "created": rev["created"].to_numpy(), "gov_paid": False, "q": 0.0,
        "pay1_date": rev["created"].to_numpy(), "pay1_amt": -rev["pay1_amt"].to_numpy(),
        "pay2_date": NaT, "pay2_amt": 0.0, "note": fast.as_numpy_str(fast.join("冲正 ", fast.pick(ev["key"], rev.index))),
    })
    reversals["key"] = fast.strings(fast.join("CZ", stamp(reversals["created"], "%Y-%m"), fast.zfill(np.arange(len(reversals)), 7)))
    ev = pd.concat([ev, reversals], ignore_index=True)
    ev["person_id"] = -1
    dw = world.dwellings
    names = estate_lookup(world, "estate_name")

    def render(sub: pd.DataFrame, at: pd.Timestamp, rows: np.ndarray) -> pd.DataFrame:
        p1 = sub["pay1_date"] <= at
        p2 = sub["pay2_date"] <= at
        paid = np.where(p1, sub["pay1_amt"], 0.0) + np.where(p2, sub["pay2_amt"], 0.0)
        last = sub["pay2_date"].where(p2, sub["pay1_date"].where(p1))
        i = sub["dwelling_id"].to_numpy()
        unpaid_blank = (paid == 0) & (rows % 2 == 0)  # "0 or blank" until paid
        name = names.loc[sub["estate_code"]].to_numpy()
        return pd.DataFrame({
            "业务流水号": sub["key"].array,
            "房源编号": fast.strings(fast.where(rows % 3 == 0, fast.pick(dw["unit_no"], i), "")),
            "小区名称": name,
            "房屋坐落": fast.strings(fast.join(name, dwelling_label(dw["building"].to_numpy()[i], dw["entrance"].to_numpy()[i],
                                                                 dw["room"].to_numpy()[i]))),
            "建筑面积": money(dw["area"].to_numpy()[i]),
            "应缴金额(元)": money(sub["due"]),
            "实缴金额(元)": np.where(unpaid_blank, "", money(paid)),
            "缴存日期": fmt_date(last),
            "缴存类型": sub["type"].to_numpy(),
            "备注": sub["note"].to_numpy(),
            **truth_cols(sub),
        })

    return Ledger(DEPOSITS, ev, ["created", "pay1_date", "pay2_date"], render)


# ---------------------------------------------------------------- fund: 物业费收缴明细
NOT_PAID = np.iinfo(np.int32).max  # payment day of a fee never paid (later than any export date)
DRAW_CHUNK = 1 << 20  # fee events drawn at a time: the same numbers as one draw, without the temporaries


@dataclass
class FeeLedger(Ledger):
    """One event per household and billing month: tens of millions at province scale. An event holds three
    numbers (`household_id`, billing `month` as a Period ordinal, `paid` day since 1970 or NOT_PAID);
    amounts and text are the household's, taken when a file or the world table needs them."""
    net: np.ndarray | None = None  # what each household owes a month, waiver deducted

    def change_months(self) -> list[np.ndarray]:
        paid = self.events["paid"].to_numpy()
        paid_month = np.full(len(paid), -1, dtype=np.int16)
        for s in range(0, len(paid), DRAW_CHUNK):  # a chunk at a time: no tens of millions of datetimes at once
            part = paid[s:s + DRAW_CHUNK]
            known = part != NOT_PAID
            paid_month[s:s + DRAW_CHUNK][known] = part[known].astype("datetime64[D]").astype("datetime64[M]").astype(np.int16)
        return [self.events["month"].to_numpy(), paid_month]

    def earliest(self) -> pd.Timestamp:
        return pd.Timestamp(month_starts(self.events["month"].min())[()])


def month_starts(months: np.ndarray) -> np.ndarray:
    """First day of each month (Period ordinals) as datetime64[us]."""
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[us]")


def fees(world: World, rng: np.random.Generator, first_billing: pd.Period) -> FeeLedger:
    hh = world.households
    n_hh = len(hh)
    estate_idx = hh["estate_idx"].to_numpy()
    dwelling = hh["dwelling_id"].to_numpy()
    price = np.round(0.6 + 1.0 * rng.random(len(world.estates)), 2)[estate_idx]
    billing = pd.period_range(first_billing, world.end.to_period("M"), freq="M")
    first_month = np.maximum(hh["handover_date"].dt.to_period("M").astype("int64").to_numpy() + 1, billing[0].ordinal)
    ords = billing.asi8
    n_months = np.clip(ords[-1] - first_month + 1, 0, None)
    household = np.repeat(np.arange(n_hh, dtype=np.int32), n_months)
    n = len(household)
    month = (np.repeat((first_month - (np.cumsum(n_months) - n_months)).astype(np.int32), n_months)
             + np.arange(n, dtype=np.int32)).astype(np.int16)
    low_income = np.zeros(n_hh, dtype=bool)
    low_income[world.persons["household_id"].to_numpy()[pc.match_substring(fast.arrow(world.persons["special"]), "低保")
                                                         .to_numpy(zero_copy_only=False)]] = True
    due = np.round(world.dwellings["area"].to_numpy()[dwelling] * price, 2)  # per household: the same every month
    waiver = np.where(low_income, np.round(due * 0.5, 2), 0.0)
    # Payers pay within weeks; the rest never (some estates collect under 30%, good ones over 90%).
    pays = np.clip(0.17 + 1.05 * world.estates["quality"].to_numpy()[estate_idx], 0, 0.97)
    payer = np.empty(n, dtype=bool)
    for s in range(0, n, DRAW_CHUNK):
        payer[s:s + DRAW_CHUNK] = rng.random(len(payer[s:s + DRAW_CHUNK])) < pays[household[s:s + DRAW_CHUNK]]
    end_day = np.datetime64(world.end, "D").astype(np.int64)
    paid = np.empty(n, dtype=np.int32)
    for s in range(0, n, DRAW_CHUNK):
        part = slice(s, s + DRAW_CHUNK)
        lag = np.round(rng.exponential(40, size=len(paid[part]))).astype(np.int64) + 3
        day = month_starts(month[part]).astype("datetime64[D]").astype(np.int64) + lag
        paid[part] = np.where(payer[part] & (day <= end_day), day, NOT_PAID)
    del payer
    ev = pd.DataFrame({"household_id": household, "month": month, "paid": paid})
    del household, month, paid
    # What a row says about its household, once per household (Arrow), taken per row.
    hh_estate = fast.arrow(hh["estate_code"])
    hh_name = fast.pick(world.estates["estate_name"], estate_idx)
    hh_company = fast.pick(world.estates["company"].replace("", "政府托管"), estate_idx)
    dw = world.dwellings
    hh_room = fast.join(fast.ints(dw["building"].to_numpy()[dwelling]), "栋", fast.ints(dw["entrance"].to_numpy()[dwelling]), "单元",
                        fast.ints(dw["room"].to_numpy()[dwelling]))
    hh_key = fast.join(hh_estate, "|", fast.ints(dwelling), "|")
    due_text, net_text = fast.money(due), fast.money(due - waiver)
    waiver_text = fast.where(waiver > 0, fast.money(waiver), "")
    month_text = fast.dates(month_starts(np.arange(ords[0], ords[-1] + 1)), "%Y-%m")

    def month_of(sub: pd.DataFrame) -> pa.Array:
        return month_text.take(pa.array(sub["month"].to_numpy().astype(np.int64) - ords[0]))

    def paid_dates(sub: pd.DataFrame, paid: np.ndarray) -> np.ndarray:
        return np.where(paid, sub["paid"].to_numpy().astype("datetime64[D]"), np.datetime64("NaT")).astype("datetime64[us]")

    def render(sub: pd.DataFrame, at: pd.Timestamp, rows: np.ndarray) -> pd.DataFrame:
        h = pa.array(sub["household_id"].to_numpy())
        paid = sub["paid"].to_numpy() <= np.datetime64(at, "D").astype(np.int64)
        month = month_of(sub)
        return pd.DataFrame({
            "物业服务企业": fast.strings(hh_company.take(h)),
            "小区名称": fast.strings(hh_name.take(h)),
            "房号": fast.strings(hh_room.take(h)),
            "计费月份": fast.strings(month),
            "应收金额(元)": fast.strings(due_text.take(h)),
            "减免金额(元)": fast.strings(waiver_text.take(h)),
            "实收金额(元)": fast.strings(fast.where(paid, net_text.take(h), "")),
            "收款日期": fmt_date(paid_dates(sub, paid)),
            "_estate": fast.strings(hh_estate.take(h)), "_dwelling": dwelling[sub["household_id"].to_numpy()], "_person": -1,
            "_key": fast.strings(fast.join(hh_key.take(h), month)),
        })

    def table_of(sub: pd.DataFrame, first_export: np.ndarray) -> pd.DataFrame:
        h = sub["household_id"].to_numpy()
        month = month_of(sub)
        estate = hh_estate.take(pa.array(h))
        return pd.DataFrame({
            "household_id": h, "billed": month_starts(sub["month"].to_numpy()), "due": due[h], "waiver": waiver[h],
            "paid_date": paid_dates(sub, sub["paid"].to_numpy() != NOT_PAID), "first_export": first_export,
            "estate_code": fast.strings(estate), "dwelling_id": dwelling[h], "billing_month": fast.strings(month),
            "key": fast.strings(fast.join(hh_key.take(pa.array(h)), month)), "person_id": np.full(len(sub), -1, dtype=np.int64),
        })

    return FeeLedger(FEES, ev, ["month", "paid"], render, table_of=table_of, net=due - waiver)


# ---------------------------------------------------------------- fund: 维修资金使用公示
PROJECTS = ["电梯维修更换", "屋面防水维修", "外墙脱落修缮", "二次供水设施改造", "消防设施维修", "小区道路修缮", "雨污管网疏通改造"]


def fund_usage(world: World, rng: np.random.Generator) -> Ledger:
    e = world.estates[world.estates["first_delivery"] < world.start - pd.DateOffset(years=2)]
    count = rng.integers(0, 4, size=len(e))
    codes = np.repeat(e["estate_code"].to_numpy(), count)
    n = len(codes)
    vote = world.start - pd.DateOffset(months=12) + offset_days(rng, 0, (world.end - world.start).days + 330, n)
    disburse = vote + offset_days(rng, 15, 120, n)
    ev = pd.DataFrame({"estate_code": codes, "project": rng.choice(PROJECTS, size=n),
                       "amount": np.round(rng.lognormal(np.log(120_000), 0.8, size=n), 2),
                       "households": rng.integers(20, 400, size=n), "vote": vote.normalize(),
                       "disburse": pd.DatetimeIndex(disburse.normalize()).where(disburse <= world.end)})
    ev = ev[ev["vote"] <= world.end].drop_duplicates(["estate_code", "project", "vote"]).reset_index(drop=True)
    ev["key"] = ev["estate_code"] + "|" + ev["project"] + "|" + ev["vote"].dt.strftime("%Y-%m-%d")
    ev["dwelling_id"] = -1
    ev["person_id"] = -1
    names = estate_lookup(world, "estate_name")

    def render(sub: pd.DataFrame, at: pd.Timestamp, rows: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({
            "小区名称": names.loc[sub["estate_code"]].to_numpy(), "项目名称": sub["project"].to_numpy(),
            "使用金额(元)": money(sub["amount"]), "涉及户数": sub["households"].astype(str).to_numpy(),
            "表决通过日期": fmt_date(sub["vote"]), "拨付日期": fmt_date(upto(sub["disburse"], at)), **truth_cols(sub),
        })

    return Ledger(FUND_USAGE, ev, ["vote", "disburse"], render)


# ---------------------------------------------------------------- complaint: 12345工单明细
DISPUTE_TYPES = np.array(["邻里纠纷", "物业服务", "公共空间"])
DISPUTE_SHARES = [0.42, 0.35, 0.23]
SUBTYPES = {"邻里纠纷": ["噪音", "漏水", "占道堆物", "宠物扰民"], "物业服务": ["收费", "保洁", "电梯", "安保"],
            "公共空间": ["停车", "绿化", "私搭乱建", "广场舞"], "设施报修": ["电梯", "漏水", "路灯", "管网"],
            "政策咨询": ["产权办理", "安置政策", "补偿标准"], "其他": ["其他"]}


def complaints(world: World, rng: np.random.Generator, first_call: pd.Timestamp) -> Ledger:
    e = world.estates
    hh_count = np.bincount(world.households["estate_idx"], minlength=len(e))
    months = (world.end - first_call).days / 30.4
    expected = hh_count * 0.012 * (1.6 - e["quality"].to_numpy()) * months
    count = rng.poisson(expected)
    codes = np.repeat(e["estate_code"].to_numpy(), count)
    unmatched = rng.poisson(max(1.0, 0.04 * count.sum()))  # orders whose address names no registered estate
    codes = np.concatenate([codes, np.full(unmatched, "")])
    n = len(codes)
    q = estate_lookup(world, "quality").reindex(codes).fillna(0.5).to_numpy()
    district = np.where(codes != "", pd.Series(codes).str[:6].to_numpy(), rng.choice(world.districts["district_code"], size=n))
    street_of = world.streets.groupby("district_code")["street_code"].first()
    street = np.where(codes != "", pd.Series(codes).str[:9].to_numpy(), street_of.reindex(district).to_numpy())
    call = first_call + pd.to_timedelta(rng.integers(0, int((world.end - first_call).total_seconds()) + 86_399, size=n), unit="s")
    dispute = rng.random(n) < 0.45
    typ = np.where(dispute, rng.choice(DISPUTE_TYPES, size=n, p=DISPUTE_SHARES),
                   rng.choice(["设施报修", "政策咨询", "其他", "物业服务"], size=n, p=[0.4, 0.3, 0.15, 0.15]))
    sub = np.array([SUBTYPES[t][i % len(SUBTYPES[t])] for i, t in zip(rng.integers(0, 12, size=n), typ)])
    dispatch = call + pd.to_timedelta(rng.integers(600, 8 * 3600, size=n), unit="s")
    quick = rng.random(n) < 0.55 + 0.4 * q
    response_lag = np.where(quick, rng.integers(1800, 24 * 3600, size=n), rng.integers(24 * 3600 + 1, 5 * 86400, size=n))
    response = pd.DatetimeIndex(np.where(rng.random(n) < 0.95, dispatch + pd.to_timedelta(response_lag, unit="s"), NaT))
    final = rng.choice(["已办结", "已退回", "重复件"], size=n, p=[0.92, 0.03, 0.05])
    close = dispatch + pd.to_timedelta(rng.integers(6 * 3600, 20 * 86400, size=n), unit="s")
    mediated = rng.random(n) < 0.55 + 0.42 * q
    result = np.where(dispute, np.where(mediated, "调解成功", "调解失败"), np.where(rng.random(n) < 0.5, "不适用", ""))
    callback_at = close + pd.to_timedelta(rng.integers(3600, 3 * 86400, size=n), unit="s")
    callback = rng.choice(["满意", "基本满意", "不满意", "未回访"], size=n, p=[0.5, 0.25, 0.12, 0.13])
    callback = np.where((rng.random(n) < q) & (callback == "不满意"), "满意", callback)
    ev = pd.DataFrame({
        "estate_code": codes, "district_code": district, "street_code": street, "call": call.floor("s"),
        "dispatch": dispatch.floor("s"), "response": response.floor("s"), "close": close.floor("s"),
        "callback_at": callback_at.floor("s"), "type": typ, "subtype": sub, "dispute": dispute, "final": final,
        "result": result, "callback": callback,
    })
    ev = ev.sort_values("call", kind="stable").reset_index(drop=True)
    ev.loc[ev["close"] > world.end + pd.Timedelta(hours=23, minutes=59, seconds=59), ["close", "callback_at"]] = NaT
    ev.loc[ev["callback_at"] > world.end + pd.Timedelta(hours=23, minutes=59, seconds=59), "callback_at"] = NaT
    ev.loc[ev["response"] > world.end + pd.Timedelta(days=1), "response"] = NaT
    ev["key"] = ev["call"].dt.strftime("%Y%m%d") + np.char.zfill(np.arange(len(ev)).astype(str), 6)
    ev["dwelling_id"] = -1
    ev["person_id"] = -1
    phones = fast.arrow(world.persons["phone"])
    with_phone = np.flatnonzero(pc.not_equal(phones, "").to_numpy(zero_copy_only=False))
    caller = with_phone[rng.integers(0, len(with_phone), size=len(ev))]
    ev["caller"] = fast.as_numpy_str(fast.join(pc.utf8_slice_codeunits(fast.pick(world.persons["name"], caller), 0, 1), "**"))
    ev["phone"] = fast.as_numpy_str(masked_phone(phones.take(pa.array(caller))))
    ev["building"] = rng.integers(1, 6, size=len(ev))
    districts = world.districts.set_index("district_code")["district_name"]
    streets = world.streets.set_index("street_code")["street_name"]
    names = estate_lookup(world, "estate_name")
    ev["address"] = np.where(
        ev["estate_code"] != "",
        districts.reindex(ev["district_code"]).to_numpy() + names.reindex(ev["estate_code"]).fillna("").to_numpy()
        + ev["building"].astype(str).to_numpy() + "栋附近",
        districts.reindex(ev["district_code"]).to_numpy() + rng.choice(["建设路", "中山路", "滨江大道"], size=len(ev))
        + rng.integers(1, 300, size=len(ev)).astype(str) + "号旁",
    )
    ev["district_name"] = districts.reindex(ev["district_code"]).to_numpy()
    ev["street_name"] = streets.reindex(ev["street_code"]).to_numpy()

    def render(sub: pd.DataFrame, at: pd.Timestamp, rows: np.ndarray) -> pd.DataFrame:
        end_of_day = at + pd.Timedelta(hours=23, minutes=59, seconds=59)
        dispatched = upto(sub["dispatch"], end_of_day)
        closed = upto(sub["close"], end_of_day)
        called_back = upto(sub["callback_at"], end_of_day)
        status = np.where(closed.notna(), sub["final"], np.where(dispatched.notna(), "办理中", "已受理"))
        done = status == "已办结"
        updated = pd.concat([sub["call"], dispatched, upto(sub["response"], end_of_day), closed, called_back], axis=1).max(axis=1)
        return pd.DataFrame({
            "工单编号": sub["key"].to_numpy(), "来电时间": fmt_dt(sub["call"]), "诉求人": sub["caller"].to_numpy(),
            "联系电话": sub["phone"].to_numpy(), "所属区县": sub["district_name"].to_numpy(), "所属街道": sub["street_name"].to_numpy(),
            "事发地址": sub["address"].to_numpy(), "诉求类型": sub["type"].to_numpy(), "诉求子类": sub["subtype"].to_numpy(),
            "诉求内容": sub["subtype"].to_numpy() + "问题，请尽快处理", "是否矛盾纠纷": np.where(sub["dispute"], "是", "否"),
            "派单时间": fmt_dt(dispatched), "首次响应时间": fmt_dt(upto(sub["response"], end_of_day)),
            "办结时间": fmt_dt(closed.where(done)), "工单状态": status,
            "调解结果": np.where(done, sub["result"], ""),
            "回访结果": np.where(done & called_back.notna(), sub["callback"], ""),
            "更新时间": fmt_dt(updated), **truth_cols(sub),
        })

    return Ledger(COMPLAINTS, ev, ["call", "dispatch", "response", "close", "callback_at"], render)


# ---------------------------------------------------------------- facility: 报修工单
FAULTS = {"电梯": "电梯停运困人", "二次供水": "水压不足", "消防设施": "消防栓漏水", "门禁": "门禁无法刷卡", "监控": "监控黑屏",
          "充电桩": "充电桩无法启动"}


def repairs(world: World, facilities: pd.DataFrame, rng: np.random.Generator, first_report: pd.Timestamp) -> Ledger:
    f = facilities[facilities["type"].isin(list(FAULTS))]
    months = (world.end - first_report).days / 30.4
    count = rng.poisson(0.12 * months, size=len(f))
    fi = np.repeat(np.arange(len(f)), count)
    n = len(fi)
    fac = f.iloc[fi]
    old = world.estates.set_index("estate_code").loc[fac["estate_code"], "profile"].to_numpy() == "old"
    report = first_report + pd.to_timedelta(rng.integers(0, int((world.end - first_report).total_seconds()), size=n), unit="s")
    response = report + pd.to_timedelta(rng.integers(900, 30 * 3600, size=n), unit="s")
    hours = rng.lognormal(np.log(np.where(old, 80, 36)), 0.7, size=n)
    done = report + pd.to_timedelta(np.round(hours * 3600), unit="s")
    ev = pd.DataFrame({
        "facility_no": fac["facility_no"].to_numpy(), "estate_code": fac["estate_code"].to_numpy(),
        "report": report.floor("s"), "response": response.floor("s"),
        "done": pd.DatetimeIndex(done.floor("s")).where(done <= world.end + pd.Timedelta(hours=23, minutes=59, seconds=59)),
        "fault": pd.Series(fac["type"].to_numpy()).map(FAULTS).to_numpy(),
        "cost": np.where(rng.random(n) < 0.8, np.round(rng.lognormal(np.log(800), 0.9, size=n), 2), np.nan),
        "funding": rng.choice(["维修资金", "物业", "财政", "保险"], size=n, p=[0.3, 0.5, 0.15, 0.05]),
        "blank_facility": rng.random(n) < 0.1,
    }).sort_values("report", kind="stable").reset_index(drop=True)
    ev["key"] = "BX" + ev["report"].dt.strftime("%Y%m%d") + np.char.zfill(np.arange(len(ev)).astype(str), 6)
    ev["dwelling_id"] = -1
    ev["person_id"] = -1
    names = estate_lookup(world, "estate_name")

    def render(sub: pd.DataFrame, at: pd.Timestamp, rows: np.ndarray) -> pd.DataFrame:
        end_of_day = at + pd.Timedelta(hours=23, minutes=59, seconds=59)
        finished = upto(sub["done"], end_of_day)
        return pd.DataFrame({
            "报修单号": sub["key"].to_numpy(), "设施编号": np.where(sub["blank_facility"], "", sub["facility_no"]),
            "小区名称": names.loc[sub["estate_code"]].to_numpy(), "报修时间": fmt_dt(sub["report"]),
            "响应时间": fmt_dt(upto(sub["response"], end_of_day)), "完成时间": fmt_dt(finished),
            "故障描述": sub["fault"].to_numpy(),
            "维修费用(元)": np.where(finished.notna() & sub["cost"].notna(), money(sub["cost"].fillna(0)), ""),
            "资金来源": np.where(finished.notna(), sub["funding"], ""), **truth_cols(sub),
        })

    return Ledger(REPAIRS, ev, ["report", "response", "done"], render)


# ---------------------------------------------------------------- engagement: 居民满意度测评
SATISFACTION = np.array(["非常满意", "满意", "一般", "不满意", "非常不满意"])


def on_roll(world: World, at: pd.Timestamp) -> pd.DataFrame:
    """Residents on the roll at `at`, in estates the register lists: the numbers about them, indexed by person."""
    p = world.persons
    on = ((p["enter_date"] <= at) & ~(p["exit_date"] <= at)).to_numpy() & registered(world, at)[p["estate_idx"].to_numpy()]
    i = np.flatnonzero(on)
    return pd.DataFrame({name: p[name].to_numpy()[i] for name in ("person_id", "household_id", "estate_idx", "dwelling_id", "birth_date")},
                        index=i)


def sample_within(groups: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mask choosing k[g] members of each group g at random (groups: group number of each member)."""
    u = rng.random(len(groups))
    order = np.lexsort((u, groups))
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.arange(len(groups)) - starts
    chosen = np.zeros(len(groups), dtype=bool)
    chosen[order] = rank < k[sorted_groups]
    return chosen


def surveys(world: World, rng: np.random.Generator, survey_months: list[pd.Period]) -> Ledger:
    parts = []
    codes = world.estates["estate_code"].to_numpy()
    q = world.estates["quality"].to_numpy()
    good = q * 0.55 + 0.4
    probs = np.column_stack([good * 0.45, good * 0.55, (1 - good) * 0.6, (1 - good) * 0.3, (1 - good) * 0.1])
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    code_rank = np.argsort(np.argsort(codes, kind="stable"), kind="stable")  # sorting by it sorts by estate code
    for period in survey_months:
        at = period.to_timestamp(how="end").normalize()
        adults = on_roll(world, at)
        adults = adults[(at - adults["birth_date"]).dt.days >= 18 * 365]
        e = adults["estate_idx"].to_numpy()
        size = np.bincount(e, minlength=len(codes))
        k = np.minimum(size, np.maximum(8, (size * 0.03 * rng.uniform(0.5, 1.5, size=len(codes))).astype(int)))
        chosen = adults[sample_within(e, k, rng)]
        chosen = chosen.assign(code_rank=code_rank[chosen["estate_idx"].to_numpy()]).sort_values(
            ["code_rank", "person_id"], kind="stable")
        ce = chosen["estate_idx"].to_numpy()
        n = len(chosen)
        answer = (rng.random(n)[:, None] > cum[ce]).sum(axis=1).clip(0, 4)
        parts.append(pd.DataFrame({
            "month": period.strftime("%Y-%m"), "estate_code": codes[ce], "person_id": chosen["person_id"].to_numpy(),
            "answer": answer, "score": rng.integers(1, 6, size=n), "surveyed": at - pd.Timedelta(days=5),
        }))
    ev = pd.concat(parts, ignore_index=True)
    ev["key"] = ev["month"] + "|" + ev["month"].str.replace("-", "") + ev.groupby("month").cumcount().add(1).astype(str).str.zfill(5)
    ev["questionnaire"] = ev["key"].str.split("|").str[1]
    numeric_month = {m: bool(i % 2) for i, m in enumerate(sorted(ev["month"].unique()))}  # some rounds use 1–5
    ev["numeric"] = ev["month"].map(numeric_month)
    p = world.persons
    ev["dwelling_id"] = p["dwelling_id"].to_numpy()[ev["person_id"].to_numpy()]
    names = estate_lookup(world, "estate_name")
    building = world.dwellings["building"].to_numpy()

    def render(sub: pd.DataFrame, at: pd.Timestamp, rows: np.ndarray) -> pd.DataFrame:
        person = sub["person_id"].to_numpy()
        show_id = rows % 4 == 0  # "often blank"
        return pd.DataFrame({
            "测评月份": sub["month"].to_numpy(), "问卷编号": sub["questionnaire"].to_numpy(),
            "小区名称": names.loc[sub["estate_code"]].to_numpy(),
            "楼栋": fast.strings(fast.ints(building[sub["dwelling_id"].to_numpy()])),
            "受访人": fast.strings(fast.join(pc.utf8_slice_codeunits(fast.pick(p["name"], person), 0, 1), "**")),
            "受访人身份证号码": fast.strings(fast.where(show_id, fast.pick(p["id_number"], person), "")),
            "总体满意度": np.where(sub["numeric"], (5 - sub["answer"]).astype(str), SATISFACTION[sub["answer"]]),
            "物业服务评分": sub["score"].astype(str).to_numpy(), "意见建议": np.where(sub["answer"] >= 3, "希望改进物业服务", ""),
            **truth_cols(sub),
        })

    return Ledger(SURVEYS, ev, ["surveyed"], render)


# ---------------------------------------------------------------- engagement: 居民参与记录
ACTIVITY_TYPES = {"居民议事会": "居民议事会", "志愿服务": "志愿服务活动", "文化活动": "文化活动", "线上议事": "线上议事",
                  "业委会选举": "业委会选举大会"}


def participation(world: World, rng: np.random.Generator, first_month: pd.Period) -> Ledger:
    """Each estate holds 0–2 activities a month; each adult joins with the estate's propensity, one at least."""
    parts = []
    n_estates = len(world.estates)
    propensity = rng.beta(1.5, 3.0, size=n_estates)
    codes_all = world.estates["estate_code"].to_numpy()
    types = np.array(list(ACTIVITY_TYPES), dtype=object)  # object arrays: a row shares the label's string
    for period in pd.period_range(first_month, world.end.to_period("M"), freq="M"):
        at = period.to_timestamp(how="end").normalize()
        adults = on_roll(world, at)
        adults = adults[(at - adults["birth_date"]).dt.days >= 14 * 365].sort_values(["estate_idx", "person_id"], kind="stable")
        e = adults["estate_idx"].to_numpy()
        size = np.bincount(e, minlength=n_estates)
        start = np.concatenate([[0], np.cumsum(size)[:-1]])
        activities = np.where(size > 0, rng.integers(0, 3, size=n_estates), 0)
        for a in range(2):
            held = activities > a
            if not held.any():
                continue
            typ = rng.integers(0, len(types), size=n_estates)
            host = np.where(rng.random(n_estates) < 0.95, np.arange(n_estates), rng.integers(0, n_estates, size=n_estates))
            day = rng.integers(0, period.days_in_month, size=n_estates)
            joins = held[e] & (rng.random(len(e)) < propensity[e] * 0.12)
            forced = start + (rng.random(n_estates) * np.maximum(size, 1)).astype(int)  # one participant at least
            joins[forced[held]] = True
            who = adults[joins]
            we = e[joins]
            labels = np.array([f"{period.month}月{ACTIVITY_TYPES[t]}（第{a + 1}场）" for t in types], dtype=object)
            parts.append(pd.DataFrame({
                "date": period.to_timestamp() + pd.to_timedelta(day[we], unit="D"), "estate_code": codes_all[host[we]],
                "type": types[typ[we]], "title": labels[typ[we]], "person_id": who["person_id"].to_numpy(),
                "points": rng.integers(1, 11, size=len(who)), "id_blank": rng.random(len(who)) < 0.25,
                "phone_masked": rng.random(len(who)) < 0.2,
            }))
    ev = pd.concat(parts, ignore_index=True)
    p = world.persons
    ev["dwelling_id"] = p["dwelling_id"].to_numpy()[ev["person_id"].to_numpy()]
    has_phone = pc.not_equal(fast.arrow(p["phone"]), "").to_numpy(zero_copy_only=False)[ev["person_id"].to_numpy()]
    id_blank = ev["id_blank"].to_numpy()
    masked = id_blank & ev["phone_masked"].to_numpy() & has_phone
    # A record links to a resident by ID, or by exact name and a real phone when the ID is blank.
    ev["linked"] = ~id_blank | (has_phone & ~masked)
    # The key is date|title|ID, or date|title|name|phone as written when the ID is blank: the same
    # record twice is dropped by comparing those parts as numbers (the text is made per chunk).
    who = ev["person_id"].to_numpy().copy()
    if id_blank.any():
        blank = np.flatnonzero(id_blank)
        who[blank] = pd.factorize(fast.series(contact(p, ev.iloc[blank])[0]))[0]
    parts = pd.DataFrame({"date": ev["date"], "title": pd.factorize(ev["title"])[0], "blank": id_blank, "who": who})
    ev = ev[~parts.duplicated().to_numpy()].reset_index(drop=True)
    names = estate_lookup(world, "estate_name")

    def texts(sub: pd.DataFrame) -> dict[str, pa.Array]:
        """name, id_number, phone and key of some records."""
        person = pa.array(sub["person_id"].to_numpy())
        blank = sub["id_blank"].to_numpy()
        name_phone, name, phone = contact(p, sub)
        id_number = fast.where(blank, "", fast.arrow(p["id_number"]).take(person))
        key = fast.join(fast.dates(sub["date"]), "|", sub["title"], "|", pc.if_else(pa.array(blank), name_phone, id_number))
        return {"name": name, "id_number": id_number, "phone": phone, "key": key}

    def render(sub: pd.DataFrame, at: pd.Timestamp, rows: np.ndarray) -> pd.DataFrame:
        t = texts(sub)
        return pd.DataFrame({
            "活动日期": fmt_date(sub["date"]), "小区名称": names.loc[sub["estate_code"]].to_numpy(), "活动类型": sub["type"].to_numpy(),
            "活动名称": sub["title"].to_numpy(), "参与人": fast.strings(t["name"]), "参与人身份证号码": fast.strings(t["id_number"]),
            "联系电话": fast.strings(t["phone"]), "积分": sub["points"].astype(str).to_numpy(),
            "_estate": sub["estate_code"].array, "_dwelling": sub["dwelling_id"].to_numpy(), "_person": sub["person_id"].to_numpy(),
            "_key": fast.strings(t["key"]),
        })

    def table_of(sub: pd.DataFrame, first_export: np.ndarray) -> pd.DataFrame:
        t = {name: fast.strings(text) for name, text in texts(sub).items()}
        columns = ["date", "estate_code", "type", "title", "person_id", "points", "id_blank", "phone_masked", "dwelling_id"]
        return sub[columns].assign(name=t["name"], id_number=t["id_number"], phone=t["phone"], linked=sub["linked"],
                                   key=t["key"], first_export=first_export)

    return Ledger(PARTICIPATION, ev, ["date"], render, table_of=table_of)


def contact(persons: pd.DataFrame, records: pd.DataFrame) -> tuple[pa.Array, pa.Array, pa.Array]:
    """name|phone, name and phone of participation records as written: the phone masked (138****5678)
    where the ID is blank and the record says so."""
    person = pa.array(records["person_id"].to_numpy())
    name = fast.arrow(persons["name"]).take(person)
    phone = fast.arrow(persons["phone"]).take(person)
    has_phone = pc.not_equal(phone, "").to_numpy(zero_copy_only=False)
    phone = fast.where(records["id_blank"].to_numpy() & records["phone_masked"].to_numpy() & has_phone, masked_phone(phone), phone)
    return fast.join(name, "|", phone), name, phone
