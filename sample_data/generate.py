"""generate(): build the city, write every department's exports into landing/, and the truth into truth/."""

from __future__ import annotations

import shutil
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import amenities, indicators, ledgers, snapshots
from .exports import ExportContext, write_export
from .faults import write_duplicate_delivery, write_faults
from .kinds import FACILITIES, REGISTER, ROSTER, SERVICES, UNITS
from .ledger_files import write_ledger
from .mess import EstateNames, MessInjector
from .periods import assessment_months, cadence_months, month_last_day
from .scales import SCALES
from .truth import TruthSink
from .writers import set_arrival
from .world import CITY_NAME, World, build_world


def estate_names(world: World) -> EstateNames:
    """Aliases (曾用名 and spelling variants) and prefixes departments put on estate names."""
    aliases, prefixes = {}, {}
    districts = world.districts.set_index("district_code")["district_name"]
    streets = world.streets.set_index("street_code")["street_name"]
    for e in world.estates.itertuples():
        options = [a for a in e.aliases.replace("/", "；").split("；") if a]
        for cn, digit in (("一期", "1期"), ("二期", "2期"), ("三期", "3期")):
            if e.estate_name.endswith(cn):
                stem = e.estate_name[: -len(cn)]
                options += [stem + digit, f"{stem}（{cn}）", f"{stem}({cn})"]
        aliases[e.estate_name] = options
        prefixes[e.estate_name] = [districts[e.district_code], streets[e.street_code], CITY_NAME + districts[e.district_code]]
    return EstateNames(aliases, prefixes)


def write_snapshots(ctx: ExportContext, world: World, months: pd.PeriodIndex, every: dict[str, int],
                    facilities: pd.DataFrame, services: pd.DataFrame, rng: np.random.Generator) -> None:
    builders = [
        (ROSTER, snapshots.roster), (UNITS, snapshots.units), (REGISTER, snapshots.register),
        (FACILITIES, lambda w, at: amenities.facility_snapshot(w, facilities, at)),
        (SERVICES, lambda w, at: amenities.services_snapshot(w, services, at)),
    ]
    for kind, build in builders:
        for i, period in enumerate(cadence_months(months, every[kind.code])):
            as_of = month_last_day(period)
            write_export(ctx, kind, build(world, as_of), as_of, None, rng, i + 1)


def ledger_builders(world: World, facilities: pd.DataFrame, periods: pd.PeriodIndex,
                    seed: int) -> list[Callable[[], ledgers.Ledger]]:
    """Each ledger reaches back as far as the indicators' windows need for the first month. They are built
    one at a time (the fee ledger alone has tens of millions of events at province scale)."""
    first = periods[0]
    survey_months = [m for m in pd.period_range(first - 2, periods[-1], freq="M") if m.month % 3 == 0]
    rng = lambda k: np.random.default_rng([seed, 10 + k])  # one stream per ledger: adding one leaves the others
    return [
        lambda: ledgers.deposits(world, rng(0)),
        lambda: ledgers.fees(world, rng(1), first - 11),
        lambda: ledgers.fund_usage(world, rng(2)),
        lambda: ledgers.complaints(world, rng(3), (first - 3).to_timestamp()),
        lambda: ledgers.repairs(world, facilities, rng(4), (first - 3).to_timestamp()),
        lambda: ledgers.surveys(world, rng(5), survey_months),
        lambda: ledgers.participation(world, rng(6), first - 11),
    ]


def write_ledgers(ctx: ExportContext, world: World, facilities: pd.DataFrame, periods: pd.PeriodIndex, seed: int,
                  rng: np.random.Generator, inputs: indicators.Inputs) -> None:
    """Build each ledger, write its exports and world table, keep its indicator figures, and let it go."""
    for build in ledger_builders(world, facilities, periods, seed):
        ledger = build()
        write_ledger(ctx, ledger, periods, rng)
        with ctx.sink.table(f"world/{ledger.kind.code}") as table:
            for chunk in ledger.tables():
                table.write(chunk)
        inputs.add_ledger(ledger)
        del ledger  # before the next one is built


def write_world(sink: TruthSink, world: World, facilities: pd.DataFrame, services: pd.DataFrame) -> None:
    for name in ("districts", "streets", "estates", "dwellings", "households", "persons"):
        sink.write_table(f"world/{name}", getattr(world, name))
    sink.write_table("world/facilities", facilities)
    sink.write_table("world/services", services)


def generate(out_dir: Path, scale: str = "small", seed: int = 0, months: int = 24,
             mess_rate: float = 0.03, faults: bool = False) -> dict:
    """See README.md. Text columns are plain Python objects inside the generator (pandas 3 would make
    every string column an Arrow one, and convert back and forth at every step); the option is scoped
    to this call, so a caller's pandas settings are untouched."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        for name in ("Pandas4Warning",):
            category = getattr(pd.errors, name, None)
            if category is not None:
                warnings.simplefilter("ignore", category=category)
        with pd.option_context("future.infer_string", False):
            return _generate(out_dir, scale, seed, months, mess_rate, faults)


def _generate(out_dir: Path, scale: str, seed: int, months: int, mess_rate: float, faults: bool) -> dict:
    started = time.perf_counter()
    out_dir = Path(out_dir)
    spec = SCALES[scale]
    for sub in ("landing", "truth"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    periods = assessment_months(months)
    world = build_world(spec, seed, months)
    rng = np.random.default_rng([seed, 2])
    sink = TruthSink(out_dir / "truth")
    ctx = ExportContext(out_dir / "landing", sink, MessInjector(estate_names(world), mess_rate, np.random.default_rng([seed, 3])),
                        spec.xlsx_max_rows, CITY_NAME)
    every = {"roster": spec.roster_every, "units": spec.roster_every, "register": spec.register_every,
             "facilities": spec.register_every, "services": spec.services_every}
    facilities = amenities.build_facilities(world, np.random.default_rng([seed, 4]))
    services = amenities.build_services(world, np.random.default_rng([seed, 5]))
    write_snapshots(ctx, world, periods, every, facilities, services, rng)
    inputs = indicators.Inputs(world, facilities, services, indicators.snapshot_months(periods, every), periods)
    write_ledgers(ctx, world, facilities, periods, seed, rng, inputs)
    if mess_rate > 0:  # one ledger export delivered twice under another name
        fee_files = [f for f in sink.files if f["kind"] == "fees"]
        original = fee_files[len(fee_files) // 2]
        sink.files.append({**original, **write_duplicate_delivery(ctx, original["file"])})
    if faults:
        last = month_last_day(periods[-1])
        roster = snapshots.roster(world, last)
        sink.files += write_faults(ctx, roster.render(np.arange(min(40, roster.n))), snapshots.register(world, last), last)
    write_world(sink, world, facilities, services)
    scorecard, district_figures = indicators.compute(inputs)
    sink.write_table("indicators/scorecard", scorecard)
    sink.write_table("indicators/district", district_figures)
    sink.close()
    for path in (out_dir / "truth").rglob("*"):  # byte- and stamp-identical reruns, truth included
        set_arrival(path, month_last_day(periods[-1]) + pd.Timedelta(days=1))
    rows_per_kind: dict[str, int] = {}
    for f in sink.files:
        rows_per_kind[f["kind"]] = rows_per_kind.get(f["kind"], 0) + f["data_rows"]
    return {
        "out_dir": str(out_dir), "scale": scale, "seed": seed, "months": months,
        "files_written": len(sink.files), "rows_per_kind": rows_per_kind,
        "residents": int(len(world.persons)), "dwellings": int(len(world.dwellings)), "estates": int(len(world.estates)),
        "seconds": round(time.perf_counter() - started, 2),
    }
