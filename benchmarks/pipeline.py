"""`anju bench --scale {small,city,province} [--seed N] [--home DIR]`: the pipeline stage by stage
against DuckDB's bare read of the same files, an incremental month, and 城市总览's chart latency.

1. The generator's sample for (scale, seed) in <home>/sample (reused if there).
2. The full run on every file except the newest arrival month, each stage a Dagster asset
   selection of the real Definitions in a process of its own (benchmarks/stages.py), with a
   DagsterInstance in <home>/pipeline/dagster: wall time, rows/s and peak memory per stage.
3. The baseline on the same files (benchmarks/baseline.py) and the ratio full ÷ baseline.
4. The newest month's files arrive; the same stages again: the incremental run and its share of
   the full run.
5. Superset on the published warehouse: p50/p95 of every 城市总览 chart (benchmarks/charts.py).
6. Targets pass or fail; every figure in <home>/bench-results.json.

Exit status 1 if a stage of the pipeline fails; a missed target is reported, not an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.baseline import run_baseline
from benchmarks.charts import overview_latency
from benchmarks.sample import deliver, ensure_sample, split_newest_month
from benchmarks.stages import ROWS, STAGES, StageResult, run_stage
from pipelines.cli import prepare_dagster_home
from pipelines.settings import REPO_ROOT, Paths


@dataclass(frozen=True)
class Targets:
    full_over_baseline: float
    peak_rss_gib: float | None
    incremental_share: float = 0.15
    chart_p95_s: float = 1.0


# Issue 8 sets them for city and province; small is a smoke run, held to the city's.
TARGETS = {"small": Targets(5, None), "city": Targets(5, None), "province": Targets(6, 12)}


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown")
    mem_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
    return {"cpus": os.cpu_count(), "memory_gib": round(mem_kib / 2**20, 1), "cpu_model": model}


def run_pipeline(label: str, workdir: Path) -> list[StageResult]:
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for stage in STAGES:
        result = run_stage(stage, workdir)
        results.append(result)
        if not result.success:
            break
    _print_stages(label, results)
    return results


def _print_stages(label: str, results: list[StageResult]) -> None:
    print(f"\n-- {label}: each stage a Dagster run in its own process")
    print(f"{'stage':<22}{'wall s':>9}{'rows':>13}{'rows/s':>12}{'peak RSS MiB':>14}")
    for r in results:
        print(f"{STAGES[r.stage]:<22}{r.wall_s:>9.1f}{r.rows:>13,}{r.rows_per_s:>12,.0f}{r.peak_rss_mib:>14,.0f}"
              + ("" if r.success else "   FAILED: " + "; ".join(r.detail.get("failures", []))))
    total = sum(r.wall_s for r in results)
    print(f"{'total':<22}{total:>9.1f}{'':>25}{max(r.peak_rss_mib for r in results):>14,.0f}")
    ingest = next(r for r in results if r.stage == "ingest").detail
    if ingest:
        print(f"ingest: {ingest['files_accepted']} files accepted, {ingest['files_quarantined']} quarantined, "
              f"{ingest['files_duplicate']} duplicates; rows loaded {ingest['rows_loaded']:,}, rejected {ingest['rows_rejected']:,}, "
              f"skipped {ingest['rows_skipped']:,}")
    dbt = next((r for r in results if r.stage == "dbt" and r.success), None)
    if dbt:
        # unique ids: model.<project>.<name>, test.<project>.<name>.<hash>
        slowest = ", ".join(f"{node.split('.')[2]} {s:.1f} s" for node, s in dbt.detail["slowest"].items())
        print(f"dbt: {dbt.detail['models_and_seeds']} models and seeds, {dbt.detail['tests']} tests; slowest: {slowest}")
    startups = [r.startup_s for r in results]
    print(f"(not counted: each stage's process spent {min(startups):.1f}–{max(startups):.1f} s starting Python and loading the Definitions)")


def _print_baseline(b: dict, full_s: float) -> None:
    print("\n-- baseline: DuckDB alone reads every input file of the full run once (all VARCHAR, no checks)")
    print(f"{'how':<42}{'files':>6}{'MiB':>9}{'s':>9}{'MiB/s':>9}")
    for how, g in b["by_how"].items():
        mib = g["bytes"] / 2**20
        print(f"{how:<42}{g['files']:>6}{mib:>9.1f}{g['seconds']:>9.1f}{mib / max(g['seconds'], 1e-9):>9.1f}")
    print(f"{'checkpoint':<42}{'':>24}{b['checkpoint_s']:>9.1f}")
    print(f"baseline {b['wall_s']:.1f} s: {b['files_read']} of {b['files']} files, {b['rows']:,} rows, peak RSS {b['peak_rss_mib']:,.0f} MiB"
          f" (failed encoding attempts, not counted: {b['failed_attempts_s']:.1f} s)")
    print(f"files DuckDB could not read at all: {len(b['unreadable'])}")
    for path, error in b["unreadable"].items():
        print(f"  {path}: {error}")
    print(f"full pipeline ÷ baseline = {full_s:.1f} s ÷ {b['wall_s']:.1f} s = {full_s / b['wall_s']:.2f}")


def main(args: argparse.Namespace) -> int:
    home = Path(args.home or REPO_ROOT / "bench-data" / args.scale).resolve()
    home.mkdir(parents=True, exist_ok=True)
    targets = TARGETS[args.scale]
    report: dict = {"scale": args.scale, "seed": args.seed, "months": args.months, "started": dt.datetime.now().isoformat(timespec="seconds"),
                    "machine": machine(), "rows_measured": ROWS}

    sample = ensure_sample(home, args.scale, args.seed, args.months)
    full_files, month_files, month = split_newest_month(sample.landing)
    p = Paths(home / "pipeline")
    shutil.rmtree(p.home, ignore_errors=True)  # the full run starts from nothing
    deliver(full_files, sample.landing, p.landing)
    prepare_dagster_home(p)  # ANJU_HOME and DAGSTER_HOME for every stage's process
    logs = home / "logs"
    m = report["machine"]
    print(f"== anju bench: scale {args.scale}, seed {args.seed}, {args.months} months, home {home}")
    print(f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB")
    print(f"sample: {len(full_files) + len(month_files)} files "
          + (f"generated in {sample.generated_s:.0f} s" if sample.generated_s is not None else "reused")
          + f"; full run: {len(full_files)} files; incremental: the {len(month_files)} files that arrived in {month}")
    print("rows: " + "; ".join(f"{STAGES[s]}: {what}" for s, what in ROWS.items()))
    report["sample"] = {"files_full": len(full_files), "files_incremental": len(month_files), "incremental_month": month,
                        "generated_s": sample.generated_s}

    full = run_pipeline("full run", logs / "full")
    report["full"] = [asdict(r) for r in full]
    if not all(r.success for r in full):
        return _finish(home, report, failed=True)
    full_s = sum(r.wall_s for r in full)

    baseline = run_baseline(full_files, logs)
    report["baseline"] = baseline
    _print_baseline(baseline, full_s)

    deliver(month_files, sample.landing, p.landing)
    incremental = run_pipeline(f"incremental: the {month} files arrive after the full build", logs / "incremental")
    report["incremental"] = [asdict(r) for r in incremental]
    if not all(r.success for r in incremental):
        return _finish(home, report, failed=True)
    incremental_s = sum(r.wall_s for r in incremental)
    print(f"incremental ÷ full = {incremental_s:.1f} s ÷ {full_s:.1f} s = {incremental_s / full_s:.1%}")

    charts, setup_s = overview_latency(p, args.chart_requests)
    report["charts"] = [asdict(c) for c in charts]
    print(f"\n-- 城市总览 ({len(charts)} charts): POST /api/v1/chart/data, 1 warm-up + {args.chart_requests} timed, one at a time "
          f"(Superset prepared and started in {setup_s:.0f} s)")
    print(f"{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}  chart")
    for c in charts:
        print(f"{c.p50_s * 1000:>8.0f}{c.p95_s * 1000:>8.0f}{c.max_s * 1000:>8.0f}  {c.chart} ({c.viz_type})")

    peak_gib = max(r.peak_rss_mib for r in full + incremental) / 1024
    ratio = full_s / baseline["wall_s"]
    share = incremental_s / full_s
    worst = max(charts, key=lambda c: c.p95_s)
    checks = [
        (f"full run ≤ {targets.full_over_baseline:g} × baseline", f"{ratio:.2f} ×", ratio <= targets.full_over_baseline),
        (f"incremental month ≤ {targets.incremental_share:.0%} of the full run", f"{share:.1%}", share <= targets.incremental_share),
        (f"every overview chart p95 ≤ {targets.chart_p95_s:g} s", f"worst {worst.p95_s:.2f} s ({worst.chart})",
         worst.p95_s <= targets.chart_p95_s),
    ]
    if targets.peak_rss_gib is not None:
        checks.append((f"peak memory ≤ {targets.peak_rss_gib:g} GiB", f"{peak_gib:.1f} GiB", peak_gib <= targets.peak_rss_gib))
    print(f"\n== targets ({args.scale}{', held to the city targets' if args.scale == 'small' else ''})")
    for name, value, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    report.update(full_s=full_s, incremental_s=incremental_s, full_over_baseline=ratio, incremental_share=share,
                  peak_rss_gib=peak_gib, targets=[{"target": n, "value": v, "passed": ok} for n, v, ok in checks])
    return _finish(home, report, failed=False)


def _finish(home: Path, report: dict, failed: bool) -> int:
    out = home / "bench-results.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nfigures: {out}" + ("\nA stage of the pipeline failed: see the stage logs in " + str(home / "logs") if failed else ""))
    return 1 if failed else 0
