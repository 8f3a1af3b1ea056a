"""The clean world: districts, streets, estates, dwellings, households and residents, with their dates.

Everything is drawn vectorised from one numpy Generator, so a seed fixes the whole city. Dates are
pandas Timestamps (datetime64[ns]); NaT means "not (yet) happened". The text columns of dwellings,
households and persons are Arrow arrays (millions of rows at province scale, no Python object per cell);
ids are positions (`person_id` is the row of `persons`, and so on).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import fast
from .idcard import make_ids
from .names import DISTRICT_STEMS, ESTATE_STEMS, ESTATE_SUFFIXES, PHASES, STREET_STEMS, NamePools
from .periods import assessment_months, month_end
from .scales import ALLOCATED_SHARE, PERSONS_PER_HOUSEHOLD, Scale

CITY_NAME = "江城市"
PROVINCE_CODE = "42"
CITY_CENTRE = (114.30, 30.59)  # longitude, latitude
RESETTLEMENT_TYPES = np.array(["城镇棚改", "农村拆迁", "旧城改造"])
RESETTLEMENT_SHARES = np.array([0.60, 0.30, 0.10])
PROFILES = np.array(["ageing", "new", "old", "general"])
SPECIAL_GROUPS = ["低保", "残疾", "失业", "留守儿童", "独居老人"]  # 特殊群体, in the order a roster lists them
PROPERTY_COMPANIES = np.array([
    "江城安居物业服务有限公司", "长江物业管理有限公司", "万家和物业服务有限公司", "城投物业服务有限公司",
    "福星物业有限公司", "佳园物业管理有限公司", "恒通物业服务有限公司", "惠民物业有限公司",
])


@dataclass
class World:
    start: pd.Timestamp  # first day of the first assessment month
    end: pd.Timestamp  # last month end
    districts: pd.DataFrame
    streets: pd.DataFrame
    estates: pd.DataFrame
    dwellings: pd.DataFrame
    households: pd.DataFrame
    persons: pd.DataFrame


def random_dates(rng: np.random.Generator, start, end, n: int) -> pd.DatetimeIndex:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    span = (end - start).days
    return start + pd.to_timedelta(rng.integers(0, max(span, 1), size=n), unit="D")


def build_divisions(scale: Scale, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    used_names: set[str] = set()
    for p in range(scale.prefectures):
        for d in range(scale.districts_per_prefecture):
            code = f"{PROVINCE_CODE}{p + 1:02d}{d + 2:02d}"
            while True:
                name = "".join(rng.choice(DISTRICT_STEMS, size=2)) + ("区" if d < 6 else "县")
                if name not in used_names and name[0] != name[1]:
                    used_names.add(name)
                    break
            rows.append((code, name))
    districts = pd.DataFrame(rows, columns=["district_code", "district_name"])
    if scale.name == "small":
        districts.loc[0, "district_name"] = "江城区"  # the district EXPORTS.md's examples use
    streets = []
    for code, _ in rows:
        names = rng.choice(STREET_STEMS, size=scale.streets_per_district, replace=False)
        for s, stem in enumerate(names):
            streets.append((f"{code}{s + 1:03d}", f"{stem}街道", code))
    return districts, pd.DataFrame(streets, columns=["street_code", "street_name", "district_code"])


def estate_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique names like 幸福家园一期; a street stem is prefixed once the plain combinations run out."""
    combos = np.array([s + x + p for s in ESTATE_STEMS for x in ESTATE_SUFFIXES for p in PHASES])
    if n > len(combos) // 2:
        combos = np.concatenate([combos, np.array([t + c for t in STREET_STEMS[:12] for c in combos])])
    return rng.choice(combos, size=n, replace=False)


def build_estates(scale: Scale, streets: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                  rng: np.random.Generator) -> pd.DataFrame:
    n = scale.estates
    profile = np.where(np.arange(n) < 4, PROFILES[np.arange(n) % 4],
                       rng.choice(PROFILES, size=n, p=[0.25, 0.20, 0.35, 0.20]))
    street_idx = np.arange(n) % len(streets)  # every street gets estates; then shuffle the assignment
    street_idx = rng.permutation(street_idx)
    street = streets.iloc[street_idx].reset_index(drop=True)
    # New estates: first delivery within the last three years, some of them inside the window.
    first_delivery = np.select(
        [profile == "new", profile == "old", profile == "general"],
        [random_dates(rng, end - pd.DateOffset(years=3) + pd.Timedelta(days=60), end - pd.Timedelta(days=150), n),
         random_dates(rng, "2004-03-01", "2014-06-30", n),
         random_dates(rng, "2016-06-01", start - pd.DateOffset(years=3) - pd.Timedelta(days=1), n)],
        random_dates(rng, "2006-01-01", "2020-12-31", n),
    )
    first_delivery = pd.DatetimeIndex(first_delivery)
    built_year = first_delivery.year - (rng.random(n) < 0.6).astype(int)
    size = rng.lognormal(0, 0.55, size=n)
    code_seq = pd.Series(street_idx).groupby(street_idx).cumcount().to_numpy() + 1
    has_committee = rng.random(n) < 0.42  # ~35% established by the end of the window
    committee_date = np.where(
        has_committee,
        first_delivery + pd.to_timedelta(rng.integers(200, 2500, size=n), unit="D"),
        pd.NaT,
    )
    committee_date = pd.DatetimeIndex(committee_date)
    committee_date = committee_date.where(committee_date <= end)  # established after the window: none yet
    names = estate_names(n, rng)
    estates = pd.DataFrame({
        "estate_code": street["street_code"].to_numpy() + np.char.zfill(code_seq.astype(str), 3),
        "estate_name": names,
        "street_code": street["street_code"].to_numpy(),
        "district_code": street["district_code"].to_numpy(),
        "profile": profile,
        "built_year": built_year,
        "first_delivery": first_delivery,
        "size_weight": size,
        # Latent management quality: drives fees, fund, satisfaction, mediation, participation.
        "quality": np.clip(rng.beta(2.2, 2.0, size=n) + np.where(profile == "old", -0.12, 0.0), 0.02, 0.98),
        "floors": np.where(profile == "old", rng.integers(5, 8, size=n), rng.choice([6, 11, 18, 26, 33], size=n)),
        "rooms_per_floor": rng.integers(2, 5, size=n),
        "entrances": rng.integers(1, 4, size=n),
        "company": np.where(rng.random(n) < 0.85, rng.choice(PROPERTY_COMPANIES, size=n), ""),
        "committee_date": committee_date,
        "longitude": np.round(CITY_CENTRE[0] + rng.normal(0, 0.08, size=n), 6),
        "latitude": np.round(CITY_CENTRE[1] + rng.normal(0, 0.06, size=n), 6),
        "resettlement_bias": rng.choice(3, size=n, p=RESETTLEMENT_SHARES),
    })
    # The register lists an estate from half a year before its first delivery.
    estates["registered_from"] = (estates["first_delivery"] - pd.Timedelta(days=180)).clip(upper=start)
    estates.loc[estates["first_delivery"] > start + pd.Timedelta(days=180), "registered_from"] = (
        estates["first_delivery"] - pd.Timedelta(days=180))
    estates["aliases"] = [alias_list(name, rng) for name in names]
    estates["address"] = [f"{CITY_NAME}{s}{rng.integers(1, 400)}号" for s in street["street_name"].str[:-2] + "路"]
    return estates


def alias_list(name: str, rng: np.random.Generator) -> str:
    """曾用名: the project name used before the estate was named, sometimes two of them."""
    stem = name.rstrip("一二三期")
    aliases = [stem + rng.choice(["安置房项目", "还建小区", "安置小区", "棚改安置点"])]
    if rng.random() < 0.3:
        aliases.append(stem.replace("家园", "").replace("花园", "") + "还建房")
    return "；".join(aliases) if rng.random() < 0.5 else "/".join(aliases)


def build_dwellings(estates: pd.DataFrame, n_dwellings: int, rng: np.random.Generator) -> pd.DataFrame:
    share = estates["size_weight"].to_numpy() / estates["size_weight"].sum()
    per_estate = np.maximum(20, np.round(share * n_dwellings)).astype(int)
    estate_idx = np.repeat(np.arange(len(estates)), per_estate)
    seq = np.arange(len(estate_idx)) - np.repeat(np.cumsum(per_estate) - per_estate, per_estate)
    floors = estates["floors"].to_numpy()[estate_idx]
    rooms = estates["rooms_per_floor"].to_numpy()[estate_idx]
    entrances = estates["entrances"].to_numpy()[estate_idx]
    per_entrance = floors * rooms
    per_building = per_entrance * entrances
    building = seq // per_building + 1
    within = seq % per_building
    entrance = within // per_entrance + 1
    floor = (within % per_entrance) // rooms + 1
    room = floor * 100 + within % rooms + 1
    area = np.round(rng.normal(78, 18, size=len(seq)).clip(38, 145) * 2) / 2  # halves of ㎡, as surveyed
    delivery = estates["first_delivery"].to_numpy()[estate_idx] + pd.to_timedelta(
        np.where(estates["profile"].to_numpy()[estate_idx] == "new", (building - 1) * rng.integers(0, 45, size=len(seq)), 0),
        unit="D")
    estate_code = fast.arrow(estates["estate_code"]).take(pa.array(estate_idx))
    dwellings = pd.DataFrame({
        "dwelling_id": np.arange(len(seq)),
        "estate_code": fast.strings(estate_code),
        "estate_idx": estate_idx,
        "building": building,
        "entrance": entrance,
        "floor": floor,
        "room": room,
        "area": area,
        "has_lift": floors > 7,
        "delivery_date": pd.DatetimeIndex(delivery).normalize(),
    })
    dwellings["layout"] = fast.strings(np.select([area < 55, area < 75, area < 95], ["一室一厅", "两室一厅", "两室两厅"], "三室两厅"))
    dwellings["unit_no"] = fast.strings(fast.join("FY", pc.utf8_slice_codeunits(estate_code, -6), fast.zfill(seq + 1, 5)))
    allocated = rng.random(len(seq)) < ALLOCATED_SHARE
    dwellings["allocated"] = allocated
    dwellings["unallocated_status"] = fast.strings(
        np.where(allocated, "", rng.choice(["待分配", "空置", "已回购"], size=len(seq), p=[0.5, 0.35, 0.15])))
    add_certificates(dwellings, rng)
    return dwellings


def add_certificates(dwellings: pd.DataFrame, rng: np.random.Generator) -> None:
    """Title registration of allocated dwellings: about 8.5 months after delivery on average, long tail.

    Dates beyond the end of the window are left for the future (NaT); snapshots hide dates after their as-of.
    """
    n = len(dwellings)
    allocated = dwellings["allocated"].to_numpy()
    problem = allocated & (rng.random(n) < 0.05)
    delay_days = rng.lognormal(np.log(255) - 0.75**2 / 2, 0.75, size=n)
    apply = dwellings["delivery_date"] + pd.to_timedelta(rng.integers(15, 150, size=n), unit="D")
    cert = dwellings["delivery_date"] + pd.to_timedelta(delay_days.round(), unit="D")
    cert = cert.where(cert > apply + pd.Timedelta(days=20), apply + pd.Timedelta(days=20))  # issued after applying
    dwellings["apply_date"] = apply.where(allocated)
    dwellings["cert_date"] = cert.where(allocated & ~problem)
    dwellings["title_problem"] = fast.strings(
        np.where(problem, rng.choice(["用地性质未变更", "规划调整", "档案信息不符", "超面积未补缴"], size=n), ""))
    dwellings["resale_years"] = fast.strings(rng.choice(["", "5", "3", "10"], size=n, p=[0.4, 0.4, 0.1, 0.1]))


def build_households(estates: pd.DataFrame, dwellings: pd.DataFrame, start: pd.Timestamp,
                     rng: np.random.Generator) -> pd.DataFrame:
    owned = dwellings[dwellings["allocated"]].reset_index(drop=True)
    n = len(owned)
    estate_idx = owned["estate_idx"].to_numpy()
    bias = estates["resettlement_bias"].to_numpy()[estate_idx]
    # An estate is mostly of one resettlement type; the mix over the city stays 60/30/10.
    typ = np.where(rng.random(n) < 0.55, bias, rng.choice(3, size=n, p=RESETTLEMENT_SHARES))
    sign = owned["delivery_date"] - pd.to_timedelta(rng.integers(30, 400, size=n), unit="D")
    # Households of estates delivered inside the window sign in the months before their keys.
    households = pd.DataFrame({
        "household_id": np.arange(n),
        "household_no": fast.strings(fast.join("H", pc.utf8_slice_codeunits(fast.arrow(owned["estate_code"]), 6),
                                               fast.zfill(np.arange(n), 6))),
        "dwelling_id": owned["dwelling_id"].to_numpy(),
        "estate_code": owned["estate_code"].array,
        "estate_idx": estate_idx,
        "resettlement_type": fast.strings(RESETTLEMENT_TYPES[typ]),
        "sign_date": sign.dt.normalize(),
        "handover_date": owned["delivery_date"] + pd.to_timedelta(rng.integers(0, 60, size=n), unit="D"),
        "ageing": estates["profile"].to_numpy()[estate_idx] == "ageing",
    })
    villages = np.array(["张家湾", "李家墩", "王家台", "刘家岭", "陈家湖", "杨柳村", "黄花村", "石桥村"])
    roads = np.array(["解放路", "中山路", "建设路", "人民路", "和平街", "友谊路", "胜利街", "青年路"])
    village = fast.join(fast.pick(villages, rng.choice(len(villages), size=n)), fast.ints(rng.integers(1, 9, size=n)), "组")
    road = fast.join(fast.pick(roads, rng.choice(len(roads), size=n)), fast.ints(rng.integers(1, 300, size=n)), "号")
    households["old_address"] = fast.strings(pc.if_else(pa.array(typ == 1), village, road))
    return households


def build_persons(households: pd.DataFrame, districts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                  names: NamePools, rng: np.random.Generator) -> pd.DataFrame:
    n_households = len(households)
    size = np.minimum(1 + rng.poisson(PERSONS_PER_HOUSEHOLD - 1, size=n_households), 7)
    hh = np.repeat(np.arange(n_households), size)
    member = np.arange(len(hh)) - np.repeat(np.cumsum(size) - size, size)
    n = len(hh)
    ageing = households["ageing"].to_numpy()
    head_age = np.where(ageing, rng.normal(65, 10, size=n_households), rng.normal(54, 13, size=n_households)).clip(22, 92)
    head_age_p = head_age[hh]
    u = rng.random(n)
    relation = np.select(
        [member == 0, (member == 1) & (u < 0.85), (head_age_p >= 52) & (u < 0.25), (head_age_p < 55) & (u > 0.88), u > 0.97],
        ["户主", "配偶", "孙子女", "父母", "兄弟姐妹"],
        "子女",
    )
    relation = np.where((relation == "兄弟姐妹") & (rng.random(n) < 0.4), "其他", relation)
    age = np.select(
        [relation == "户主", relation == "配偶", relation == "父母", relation == "孙子女", relation == "兄弟姐妹"],
        [head_age_p, head_age_p + rng.normal(-1.5, 3, size=n), head_age_p + rng.uniform(22, 32, size=n),
         head_age_p - rng.uniform(46, 62, size=n), head_age_p + rng.normal(0, 6, size=n)],
        head_age_p - rng.uniform(22, 34, size=n),
    )
    age = np.where(age < 0.3, rng.uniform(0.3, 12, size=n), age).clip(0.3, 99)
    head_male = rng.random(n_households) < 0.72
    is_male = np.select([relation == "户主", relation == "配偶"], [head_male[hh], ~head_male[hh]], rng.random(n) < 0.5)
    birth = (end - pd.to_timedelta(age * 365.25, unit="D")).normalize()
    # Birth county: mostly a district of this city, sometimes elsewhere in the province.
    codes = districts["district_code"].astype(np.int64).to_numpy()
    county = np.where(rng.random(n) < 0.85, rng.choice(codes, size=n),
                      int(PROVINCE_CODE) * 10**4 + rng.integers(2, 28, size=n) * 100 + rng.integers(1, 20, size=n))
    ids = make_ids(county, birth.to_numpy(), is_male, rng)
    phone = fast.ints(rng.choice([13, 15, 17, 18, 19], size=n) * 10**9 + rng.integers(0, 10**9, size=n))
    adult_or_head = (age >= 18) | (member == 0)
    sign = households["sign_date"].to_numpy()[hh]
    persons = pd.DataFrame({
        "person_id": np.arange(n),
        "household_id": hh,
        "member": member,
        "estate_code": fast.strings(fast.arrow(households["estate_code"]).take(pa.array(hh))),
        "estate_idx": households["estate_idx"].to_numpy()[hh],
        "dwelling_id": households["dwelling_id"].to_numpy()[hh],
        "name": fast.strings(names.draw(rng, is_male)),
        "id_number": fast.strings(ids),
        "relation": fast.strings(relation),
        "sex": fast.strings(np.where(is_male, "男", "女")),
        "birth_date": birth,
        "phone": fast.strings(fast.where(adult_or_head & (rng.random(n) < 0.93), phone, "")),
        "enter_date": pd.DatetimeIndex(np.maximum(sign, birth.to_numpy())),
    })
    # Leaving the roll inside the window: deaths among the old, moves among everyone.
    dies = rng.random(n) < np.where(age > 75, 0.06, np.where(age > 60, 0.015, 0.002))
    moves = ~dies & (rng.random(n) < 0.03)
    leave = random_dates(rng, start, end, n)
    exit_date = pd.Series(pd.DatetimeIndex(np.where(dies | moves, leave, pd.NaT)))
    exit_date = exit_date.where(exit_date > persons["enter_date"])
    persons["exit_status"] = fast.strings(np.where(exit_date.isna(), "", np.select([dies, moves], ["死亡", "迁出"], "")))
    persons["exit_date"] = exit_date
    age_end = age
    groups = 0  # bit g set: member of SPECIAL_GROUPS[g]
    for g, (share, eligible) in enumerate([
        (0.05, age_end >= 0), (0.04, age_end >= 0), (0.05, (age_end >= 18) & (age_end < 60)),
        (0.06, age_end < 16), (0.9, (age_end >= 70) & (size[hh] == 1)),
    ]):
        groups = groups | ((eligible & (rng.random(n) < share)).astype(np.int64) << g)
    labels = ["、".join(SPECIAL_GROUPS[g] for g in range(len(SPECIAL_GROUPS)) if bits >> g & 1)
              for bits in range(1 << len(SPECIAL_GROUPS))]
    persons["special"] = fast.strings(pa.array(labels, fast.STR).take(pa.array(groups)))
    return persons


def build_world(scale: Scale, seed: int, months: int) -> World:
    rng = np.random.default_rng([seed, 1])
    periods = assessment_months(months)
    start = periods[0].to_timestamp()
    end = month_end(periods[-1]).normalize()
    districts, streets = build_divisions(scale, rng)
    estates = build_estates(scale, streets, start, end, rng)
    n_households = round(scale.residents / PERSONS_PER_HOUSEHOLD)
    dwellings = build_dwellings(estates, round(n_households / ALLOCATED_SHARE), rng)
    households = build_households(estates, dwellings, start, rng)
    persons = build_persons(households, districts, start, end, NamePools(seed), rng)
    return World(start, end, districts, streets, estates, dwellings, households, persons)
