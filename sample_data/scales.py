"""Sizes of the three scales. Everything else is derived from these numbers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    residents: int
    estates: int
    prefectures: int  # province scale spans several prefectures; a city is one
    districts_per_prefecture: int
    streets_per_district: int
    roster_every: int  # months between household/unit snapshots (1 = monthly)
    register_every: int  # months between 小区名录 / 设施设备台账 snapshots
    services_every: int  # months between 周边公共服务配套 snapshots
    xlsx_max_rows: int  # larger files are written as CSV (XLSX is slow to write and capped at 1,048,576 rows)


SCALES = {
    "small": Scale("small", 2_000, 6, 1, 2, 2, 1, 3, 6, 20_000),
    "city": Scale("city", 150_000, 100, 1, 6, 4, 3, 3, 6, 2_000),
    "province": Scale("province", 5_000_000, 3_300, 4, 10, 6, 6, 6, 12, 2_000),
}

PERSONS_PER_HOUSEHOLD = 2.8
ALLOCATED_SHARE = 0.9  # share of dwellings that are allocated to a household
