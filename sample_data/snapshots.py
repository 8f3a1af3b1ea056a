"""Clean rows of the snapshot kinds of household/ and unit/ as of a date, in the kinds' canonical columns.

Every frame also carries truth columns (prefixed `_`): the estate, dwelling and person each row is about.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import fast
from .world import World


def fmt_date(values) -> np.ndarray:
    """'YYYY-MM-DD', blank for NaT."""
    return fast.strings(fast.dates(values))


def dwelling_label(building, entrance, room) -> np.ndarray:
    """The canonical way to write a dwelling: 3栋2单元501室."""
    return fast.strings(fast.join(fast.ints(building), "栋", fast.ints(entrance), "单元", fast.ints(room), "室"))


def registered_estates(world: World, as_of: pd.Timestamp) -> pd.DataFrame:
    return world.estates[world.estates["registered_from"] <= as_of]


def roster(world: World, as_of: pd.Timestamp) -> pd.DataFrame:
    estates = registered_estates(world, as_of)
    p = world.persons
    p = p[(p["enter_date"] <= as_of) & p["estate_code"].isin(estates["estate_code"])]
    hh = world.households.set_index("household_id").loc[p["household_id"]]
    d = world.dwellings.set_index("dwelling_id").loc[p["dwelling_id"]]
    name = world.estates.set_index("estate_code").loc[p["estate_code"], "estate_name"]
    left = p["exit_date"] <= as_of
    handover = hh["handover_date"].where(hh["handover_date"] <= as_of)
    return pd.DataFrame({
        "序号": np.arange(1, len(p) + 1).astype(str),
        "户编号": hh["household_no"].to_numpy(),
        "姓名": p["name"].to_numpy(),
        "身份证号码": p["id_number"].to_numpy(),
        "与户主关系": p["relation"].to_numpy(),
        "性别": p["sex"].to_numpy(),
        "出生日期": fmt_date(p["birth_date"]),
        "联系电话": p["phone"].to_numpy(),
        "安置类型": hh["resettlement_type"].to_numpy(),
        "原住址": hh["old_address"].to_numpy(),
        "安置小区": name.to_numpy(),
        "安置房号": dwelling_label(d["building"], d["entrance"], d["room"]),
        "签约日期": fmt_date(hh["sign_date"]),
        "交房日期": fmt_date(handover),
        "人员状态": np.where(left, p["exit_status"], np.where(np.arange(len(p)) % 3 == 0, "在册", "")),
        "特殊群体": p["special"].to_numpy(),
        "_estate": p["estate_code"].to_numpy(),
        "_dwelling": p["dwelling_id"].to_numpy(),
        "_person": p["person_id"].to_numpy(),
    })


def dwelling_state(world: World, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each registered estate's dwellings with allocation, delivery and certificate as known at `as_of`."""
    estates = registered_estates(world, as_of)
    d = world.dwellings[world.dwellings["estate_code"].isin(estates["estate_code"])].copy()
    heads = world.persons[world.persons["member"] == 0].set_index("dwelling_id")
    signed = world.households.set_index("dwelling_id")["sign_date"].reindex(d["dwelling_id"]).to_numpy() <= as_of
    d["status"] = np.where(d["allocated"] & signed, "已分配", np.where(d["allocated"], "待分配", d["unallocated_status"]))
    is_allocated = d["status"] == "已分配"
    d["owner_name"] = np.where(is_allocated, heads["name"].reindex(d["dwelling_id"]).fillna("").to_numpy(), "")
    d["owner_id"] = np.where(is_allocated, heads["id_number"].reindex(d["dwelling_id"]).fillna("").to_numpy(), "")
    for col in ("delivery_date", "apply_date", "cert_date"):
        d[col] = d[col].where(d[col] <= as_of)
    d.loc[~is_allocated, ["apply_date", "cert_date"]] = pd.NaT
    return d


def units(world: World, as_of: pd.Timestamp) -> pd.DataFrame:
    d = dwelling_state(world, as_of)
    e = world.estates.set_index("estate_code")
    districts = world.districts.set_index("district_code")["district_name"]
    streets = world.streets.set_index("street_code")["street_name"]
    est = e.loc[d["estate_code"]]
    return pd.DataFrame({
        "房源编号": d["unit_no"].to_numpy(),
        "区县": districts.loc[est["district_code"]].to_numpy(),
        "街道": streets.loc[est["street_code"]].to_numpy(),
        "小区名称": est["estate_name"].to_numpy(),
        "楼栋": d["building"].astype(str).to_numpy(),
        "单元": d["entrance"].astype(str).to_numpy(),
        "房号": d["room"].astype(str).to_numpy(),
        "建筑面积（㎡）": d["area"].map("{:.2f}".format).to_numpy(),
        "户型": d["layout"].to_numpy(),
        "分配状态": d["status"].to_numpy(),
        "产权人姓名": d["owner_name"].to_numpy(),
        "产权人身份证号码": d["owner_id"].to_numpy(),
        "交付日期": fmt_date(d["delivery_date"]),
        "登记申请日期": fmt_date(d["apply_date"]),
        "办证日期": fmt_date(d["cert_date"]),
        "上市交易限制年限": np.where(d["cert_date"].notna(), d["resale_years"], ""),
        "产权问题": np.where(d["cert_date"].isna(), d["title_problem"], ""),
        "_estate": d["estate_code"].to_numpy(),
        "_dwelling": d["dwelling_id"].to_numpy(),
        "_person": -1,
    })


def estate_facts(world: World) -> pd.DataFrame:
    """Counts the register publishes: dwellings, buildings, lifts."""
    d = world.dwellings
    g = d.groupby("estate_code")
    lifts = d[d["has_lift"]].drop_duplicates(["estate_code", "building", "entrance"]).groupby("estate_code").size()
    return pd.DataFrame({"dwellings": g.size(), "buildings": g["building"].max(),
                         "lifts": lifts}).fillna(0).astype(int)


def register(world: World, as_of: pd.Timestamp) -> pd.DataFrame:
    e = registered_estates(world, as_of)
    facts = estate_facts(world).loc[e["estate_code"]]
    districts = world.districts.set_index("district_code")["district_name"]
    streets = world.streets.set_index("street_code")["street_name"]
    committee = e["committee_date"].where(e["committee_date"] <= as_of)
    return pd.DataFrame({
        "小区编码": e["estate_code"].to_numpy(),
        "小区名称": e["estate_name"].to_numpy(),
        "曾用名": e["aliases"].to_numpy(),
        "区县代码": e["district_code"].to_numpy(),
        "区县": districts.loc[e["district_code"]].to_numpy(),
        "街道代码": e["street_code"].to_numpy(),
        "街道": streets.loc[e["street_code"]].to_numpy(),
        "详细地址": e["address"].to_numpy(),
        "建成年份": e["built_year"].astype(str).to_numpy(),
        "交付日期": fmt_date(e["first_delivery"]),
        "总套数": facts["dwellings"].astype(str).to_numpy(),
        "楼栋数": facts["buildings"].astype(str).to_numpy(),
        "电梯数": facts["lifts"].astype(str).to_numpy(),
        "物业服务企业": e["company"].to_numpy(),
        "业委会成立日期": fmt_date(committee),
        "经度": e["longitude"].map("{:.6f}".format).to_numpy(),
        "纬度": e["latitude"].map("{:.6f}".format).to_numpy(),
        "_estate": e["estate_code"].to_numpy(),
        "_dwelling": -1,
        "_person": -1,
    })
