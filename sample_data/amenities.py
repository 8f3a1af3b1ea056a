"""Facilities inside estates (设施设备台账) and public services around them (周边公共服务配套)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .snapshots import fmt_date, registered_estates
from .world import World

# Probability that an estate has each community-wide facility; ageing estates get more elderly services.
COMMUNITY_FACILITIES = {"监控": 0.95, "二次供水": 0.7, "充电桩": 0.45, "养老服务站": 0.45, "社区卫生服务站": 0.45,
                        "幼儿园": 0.3, "四点半课堂": 0.4, "老年食堂": 0.35, "文化活动室": 0.7}
AGEING_BONUS = {"养老服务站": 0.35, "老年食堂": 0.35, "社区卫生服务站": 0.2}
MAINTAINERS = np.array(["江城电梯工程有限公司", "长江机电维保有限公司", "安泰消防工程有限公司", "城投设施运维有限公司"])
SERVICE_TYPES = ["小学", "中学", "幼儿园", "社区卫生服务中心", "公交站点", "养老服务设施", "菜市场"]
SERVICE_MEDIAN_M = {"小学": 950, "中学": 1600, "幼儿园": 650, "社区卫生服务中心": 800, "公交站点": 300,
                    "养老服务设施": 900, "菜市场": 600}
SERVICE_NAMES = {"小学": "小学", "中学": "中学", "幼儿园": "幼儿园", "社区卫生服务中心": "社区卫生服务中心",
                 "公交站点": "公交站", "养老服务设施": "养老院", "菜市场": "菜市场"}


def build_facilities(world: World, rng: np.random.Generator) -> pd.DataFrame:
    e = world.estates
    d = world.dwellings
    parts = []
    codes = e["estate_code"].to_numpy()
    entrances = d.loc[d["has_lift"], ["estate_idx", "building", "entrance"]].drop_duplicates()
    parts.append(pd.DataFrame({"estate_code": codes[entrances["estate_idx"]], "type": "电梯", "building": entrances["building"].to_numpy()}))
    buildings = d[["estate_idx", "building"]].drop_duplicates()
    for t in ("消防设施", "门禁"):
        parts.append(pd.DataFrame({"estate_code": codes[buildings["estate_idx"]], "type": t, "building": buildings["building"].to_numpy()}))
    for t, p in COMMUNITY_FACILITIES.items():
        prob = p + np.where(e["profile"] == "ageing", AGEING_BONUS.get(t, 0), 0)
        has = rng.random(len(e)) < prob
        count = np.where(t == "充电桩", rng.integers(1, 4, size=len(e)), 1)
        codes = np.repeat(e["estate_code"].to_numpy()[has], count[has])
        parts.append(pd.DataFrame({"estate_code": codes, "type": t, "building": 0}))
    f = pd.concat(parts, ignore_index=True).sort_values(["estate_code", "type", "building"], kind="stable").reset_index(drop=True)
    n = len(f)
    first = e.set_index("estate_code")["first_delivery"].reindex(f["estate_code"]).to_numpy()
    # Some facilities are added years later, a few of them inside the window.
    late = rng.random(n) < 0.15
    f["commissioned"] = pd.DatetimeIndex(first) + pd.to_timedelta(np.where(late, rng.integers(200, 3000, size=n), 0), unit="D")
    f["commissioned"] = f["commissioned"].where(f["commissioned"] <= world.end, world.end - pd.Timedelta(days=40))
    f["facility_no"] = "SS" + f["estate_code"].str[6:] + (f.groupby("estate_code").cumcount() + 1).astype(str).str.zfill(4)
    f["maintainer"] = rng.choice(MAINTAINERS, size=n)
    f["retired_from"] = pd.DatetimeIndex(np.where(rng.random(n) < 0.06, world.start + pd.to_timedelta(rng.integers(0, 700, size=n), unit="D"), pd.NaT))
    f["status_seed"] = rng.integers(0, 2**31, size=n)
    return f


def facility_status(f: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """运行状态 at a snapshot: retired ones 停用; otherwise a month-specific draw, mostly 正常."""
    month_key = as_of.year * 12 + as_of.month
    u = np.random.default_rng([month_key]).random(len(f))
    u = (u + f["status_seed"].to_numpy() / 2**31) % 1.0
    status = np.select([u < 0.04, u < 0.07], ["故障", "维修中"], "正常")
    return np.where(f["retired_from"] <= as_of, "停用", status)


def facility_snapshot(world: World, facilities: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    estates = registered_estates(world, as_of)
    f = facilities[facilities["estate_code"].isin(estates["estate_code"]) & (facilities["commissioned"] <= as_of)]
    names = world.estates.set_index("estate_code")["estate_name"]
    last_service = as_of - pd.to_timedelta((f["status_seed"].to_numpy() % 150) + 1, unit="D")
    return pd.DataFrame({
        "设施编号": f["facility_no"].to_numpy(),
        "设施类型": f["type"].to_numpy(),
        "小区名称": names.loc[f["estate_code"]].to_numpy(),
        "楼栋": np.where(f["building"] > 0, f["building"].astype(str), ""),
        "投用日期": fmt_date(f["commissioned"]),
        "运行状态": facility_status(f, as_of),
        "最近维保日期": fmt_date(pd.Series(last_service).clip(lower=f["commissioned"].to_numpy())),
        "维保单位": f["maintainer"].to_numpy(),
        "_estate": f["estate_code"].to_numpy(),
        "_dwelling": -1,
        "_person": -1,
        "_type": f["type"].to_numpy(),
    })


def build_services(world: World, rng: np.random.Generator) -> pd.DataFrame:
    """Nearest service of each type per estate; about 45% of estates have no primary school within 1 km."""
    e = world.estates
    rows = []
    for t in SERVICE_TYPES:
        distance = rng.lognormal(np.log(SERVICE_MEDIAN_M[t]), 0.55, size=len(e))
        if t == "小学":
            distance = np.where(rng.random(len(e)) < 0.45, rng.uniform(1050, 3200, size=len(e)), rng.uniform(150, 980, size=len(e)))
        listed = rng.random(len(e)) < (0.97 if t != "中学" else 0.8)  # the odd service is simply absent
        stems = e["estate_name"].str[:2].to_numpy()
        rows.append(pd.DataFrame({"estate_code": e["estate_code"], "type": t, "name": stems + SERVICE_NAMES[t],
                                  "distance": np.round(distance).astype(int), "listed": listed}))
    services = pd.concat(rows, ignore_index=True)
    return services[services["listed"]].sort_values(["estate_code", "type"], kind="stable").reset_index(drop=True)


def services_snapshot(world: World, services: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    estates = registered_estates(world, as_of)
    s = services[services["estate_code"].isin(estates["estate_code"])]
    names = world.estates.set_index("estate_code")["estate_name"]
    return pd.DataFrame({
        "小区名称": names.loc[s["estate_code"]].to_numpy(),
        "配套类型": s["type"].to_numpy(),
        "配套名称": s["name"].to_numpy(),
        "步行距离(米)": s["distance"].astype(str).to_numpy(),
        "_estate": s["estate_code"].to_numpy(),
        "_dwelling": -1,
        "_person": -1,
    })
