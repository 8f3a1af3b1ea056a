"""Clean rows of the snapshot kinds of household/ and unit/ as of a date, in the kinds' canonical columns.

Every frame also carries truth columns (prefixed `_`): the estate, dwelling and person each row is about.
The roster and the dwelling register have a row per resident or dwelling (millions at province scale):
they are `Rows`, rendered a chunk at a time by position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from . import fast
from .exports import Rows
from .world import World


def fmt_date(values) -> np.ndarray:
    """'YYYY-MM-DD', blank for NaT."""
    return fast.strings(fast.dates(values))


def dwelling_label(building, entrance, room) -> np.ndarray:
    """The canonical way to write a dwelling: 3栋2单元501室."""
    return fast.strings(fast.join(fast.ints(building), "栋", fast.ints(entrance), "单元", fast.ints(room), "室"))


def registered_estates(world: World, as_of: pd.Timestamp) -> pd.DataFrame:
    return world.estates[world.estates["registered_from"] <= as_of]


def registered(world: World, as_of: pd.Timestamp) -> np.ndarray:
    """Whether each estate (by position) is in the register at `as_of`."""
    return (world.estates["registered_from"] <= as_of).to_numpy()


def known(dates: np.ndarray, as_of: pd.Timestamp) -> np.ndarray:
    """Dates after `as_of` are not known yet (NaT)."""
    return np.where(dates <= np.datetime64(as_of), dates, np.datetime64("NaT"))


def roster(world: World, as_of: pd.Timestamp) -> Rows:
    p = world.persons
    chosen = np.flatnonzero((p["enter_date"] <= as_of).to_numpy() & registered(world, as_of)[p["estate_idx"].to_numpy()])
    hh, d = world.households, world.dwellings
    estate_names = fast.arrow(world.estates["estate_name"])

    def render(rows: np.ndarray) -> pd.DataFrame:
        i = chosen[rows]
        h = p["household_id"].to_numpy()[i]
        dw = p["dwelling_id"].to_numpy()[i]
        left = p["exit_date"].to_numpy()[i] <= np.datetime64(as_of)
        return pd.DataFrame({
            "序号": fast.strings(fast.ints(rows + 1)),
            "户编号": fast.strings(fast.pick(hh["household_no"], h)),
            "姓名": fast.strings(fast.pick(p["name"], i)),
            "身份证号码": fast.strings(fast.pick(p["id_number"], i)),
            "与户主关系": fast.strings(fast.pick(p["relation"], i)),
            "性别": fast.strings(fast.pick(p["sex"], i)),
            "出生日期": fmt_date(p["birth_date"].to_numpy()[i]),
            "联系电话": fast.strings(fast.pick(p["phone"], i)),
            "安置类型": fast.strings(fast.pick(hh["resettlement_type"], h)),
            "原住址": fast.strings(fast.pick(hh["old_address"], h)),
            "安置小区": fast.strings(estate_names.take(pa.array(p["estate_idx"].to_numpy()[i]))),
            "安置房号": dwelling_label(d["building"].to_numpy()[dw], d["entrance"].to_numpy()[dw], d["room"].to_numpy()[dw]),
            "签约日期": fmt_date(hh["sign_date"].to_numpy()[h]),
            "交房日期": fmt_date(known(hh["handover_date"].to_numpy()[h], as_of)),
            "人员状态": fast.strings(fast.where(left, fast.pick(p["exit_status"], i), fast.where(rows % 3 == 0, "在册", ""))),
            "特殊群体": fast.strings(fast.pick(p["special"], i)),
            "_estate": fast.strings(fast.pick(p["estate_code"], i)),
            "_dwelling": dw,
            "_person": i,
        })

    return Rows(len(chosen), render)


def household_heads(world: World) -> np.ndarray:
    """The head of the household living in each dwelling (person position), -1 where nobody does."""
    p = world.persons
    heads = np.full(len(world.dwellings), -1, dtype=np.int64)
    is_head = (p["member"] == 0).to_numpy()
    heads[p["dwelling_id"].to_numpy()[is_head]] = np.flatnonzero(is_head)
    return heads


def units(world: World, as_of: pd.Timestamp) -> Rows:
    """Each registered estate's dwellings with allocation, delivery and certificate as known at `as_of`."""
    d = world.dwellings
    chosen = np.flatnonzero(registered(world, as_of)[d["estate_idx"].to_numpy()])
    sign = np.full(len(d), np.datetime64("NaT"), dtype=world.households["sign_date"].dtype)
    sign[world.households["dwelling_id"].to_numpy()] = world.households["sign_date"].to_numpy()
    heads = household_heads(world)
    e = world.estates
    districts = world.districts.set_index("district_code")["district_name"]
    streets = world.streets.set_index("street_code")["street_name"]
    district_of = fast.arrow(districts.loc[e["district_code"]].to_numpy())
    street_of = fast.arrow(streets.loc[e["street_code"]].to_numpy())
    estate_names = fast.arrow(e["estate_name"])
    person_names, person_ids = fast.arrow(world.persons["name"]), fast.arrow(world.persons["id_number"])

    def render(rows: np.ndarray) -> pd.DataFrame:
        i = chosen[rows]
        estate = pa.array(d["estate_idx"].to_numpy()[i])
        allocated = d["allocated"].to_numpy()[i]
        signed = sign[i] <= np.datetime64(as_of)
        status = fast.where(allocated & signed, "已分配", fast.where(allocated, "待分配", fast.pick(d["unallocated_status"], i)))
        is_allocated = allocated & signed
        head = heads[i]
        has_owner = is_allocated & (head >= 0)
        owner = np.where(has_owner, head, 0)
        delivery = known(d["delivery_date"].to_numpy()[i], as_of)
        apply = np.where(is_allocated, known(d["apply_date"].to_numpy()[i], as_of), np.datetime64("NaT"))
        cert = np.where(is_allocated, known(d["cert_date"].to_numpy()[i], as_of), np.datetime64("NaT"))
        certified = ~np.isnat(cert)
        return pd.DataFrame({
            "房源编号": fast.strings(fast.pick(d["unit_no"], i)),
            "区县": fast.strings(district_of.take(estate)),
            "街道": fast.strings(street_of.take(estate)),
            "小区名称": fast.strings(estate_names.take(estate)),
            "楼栋": fast.strings(fast.ints(d["building"].to_numpy()[i])),
            "单元": fast.strings(fast.ints(d["entrance"].to_numpy()[i])),
            "房号": fast.strings(fast.ints(d["room"].to_numpy()[i])),
            "建筑面积（㎡）": fast.strings(fast.money(d["area"].to_numpy()[i])),
            "户型": fast.strings(fast.pick(d["layout"], i)),
            "分配状态": fast.strings(status),
            "产权人姓名": fast.strings(fast.where(has_owner, person_names.take(pa.array(owner)), "")),
            "产权人身份证号码": fast.strings(fast.where(has_owner, person_ids.take(pa.array(owner)), "")),
            "交付日期": fmt_date(delivery),
            "登记申请日期": fmt_date(apply),
            "办证日期": fmt_date(cert),
            "上市交易限制年限": fast.strings(fast.where(certified, fast.pick(d["resale_years"], i), "")),
            "产权问题": fast.strings(fast.where(certified, "", fast.pick(d["title_problem"], i))),
            "_estate": fast.strings(fast.pick(d["estate_code"], i)),
            "_dwelling": i,
            "_person": -1,
        })

    return Rows(len(chosen), render)


def estate_facts(world: World) -> pd.DataFrame:
    """Counts the register publishes: dwellings, buildings, lifts (by estate code)."""
    d = world.dwellings
    n = len(world.estates)
    e = d["estate_idx"].to_numpy()
    lift_entrances = d.loc[d["has_lift"], ["estate_idx", "building", "entrance"]].drop_duplicates()
    buildings = np.zeros(n, dtype=np.int64)
    np.maximum.at(buildings, e, d["building"].to_numpy())
    return pd.DataFrame({"dwellings": np.bincount(e, minlength=n), "buildings": buildings,
                         "lifts": np.bincount(lift_entrances["estate_idx"], minlength=n)},
                        index=world.estates["estate_code"].to_numpy())


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
