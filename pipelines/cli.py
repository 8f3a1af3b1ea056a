"""The `anju` command: generate sample exports, run the pipeline, serve Dagster and Superset."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.settings import REPO_ROOT, Paths, paths


def prepare_dagster_home(p: Paths) -> None:
    from pipelines.event_log import BATCH_SIZE, BATCH_SIZE_VARIABLE

    p.dagster_home.mkdir(parents=True, exist_ok=True)
    settings = Path(__file__).with_name("dagster.yaml").read_text(encoding="utf-8")
    # Where Dagster's default storage keeps event logs; a JSON string is a quoted YAML scalar.
    event_log_dir = json.dumps(str(p.dagster_home / "history" / "runs"))
    (p.dagster_home / "dagster.yaml").write_text(settings.replace("{event_log_dir}", event_log_dir), encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(p.dagster_home)
    os.environ["ANJU_HOME"] = str(p.home)
    # Dagster hands a run's planned events to the storage as one batch only when this is set.
    os.environ.setdefault(BATCH_SIZE_VARIABLE, BATCH_SIZE)


def cmd_generate(args: argparse.Namespace) -> int:
    # The generator stands in for the departments: only this command and the tests touch it.
    from sample_data.generate import generate

    out = Path(args.out) if args.out else paths().home
    summary = generate(out, scale=args.scale, seed=args.seed, months=args.months, mess_rate=args.mess_rate, faults=args.faults)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    # Benchmarks and drills hold the generator and the pipeline side by side, as the tests do.
    from benchmarks.pipeline import main as bench

    return bench(args)


def cmd_drill(args: argparse.Namespace) -> int:
    import importlib

    return importlib.import_module(f"drills.{args.name}").main(args)


def cmd_run(args: argparse.Namespace) -> int:
    p = paths()
    prepare_dagster_home(p)
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from pipelines.run_summary import print_summary

    job = defs.resolve_job_def("anju_pipeline")
    with DagsterInstance.get() as instance:
        # Engineers read the per-file summary here; step logs stay in Dagster's run history.
        run_config = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
        if args.accept_blocking:
            run_config["ops"] = {"published_warehouse": {"config": {"accept_blocking": args.accept_blocking}}}
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config)
    print("== Anju run summary: files received in this run ==")
    ok = print_summary(p, result.run_id)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                if error and error.cause and error.cls_name == "DagsterExecutionStepExecutionError":
                    error = error.cause  # the step's own exception, e.g. why publication was refused
                print(f"FAILED step {event.step_key}: {error.message.strip() if error else 'unknown error'}", file=sys.stderr)
        print("The run failed; the published warehouse was left as it was.", file=sys.stderr)
        return 1
    return 0 if ok else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from pipelines import superset_service
    from pipelines.processes import stop

    p = paths()
    prepare_dagster_home(p)
    p.logs.mkdir(parents=True, exist_ok=True)
    login = superset_service.prepare(p)
    procs: list[subprocess.Popen] = []
    bin_dir = Path(sys.executable).parent
    superset_url = f"http://127.0.0.1:{args.superset_port}"
    dagster_url = f"http://127.0.0.1:{args.dagster_port}"
    # Installed explicitly: a shell that starts us in the background hands SIGINT down ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        procs.append(superset_service.start(p, port=args.superset_port))
        for name, cmd in (
            ("dagster-webserver", [str(bin_dir / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(args.dagster_port)]),
            ("dagster-daemon", [str(bin_dir / "dagster-daemon"), "run", "-w", "workspace.yaml"]),
        ):
            with open(p.logs / f"{name}.log", "ab") as log:
                # Own process group: dagster ignores SIGTERM to its parent, so the group is ended.
                procs.append(subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        superset_service.wait_until_healthy(superset_url, timeout=300, proc=procs[0])
        _wait_http(dagster_url + "/server_info", timeout=300)
        print(f"Dagster:  {dagster_url}")
        print(f"Superset: {superset_url}/superset/dashboard/city-overview/  (user {login.username}; password in {login.password_file})")
        for user in superset_service.demo_users(p):
            print(f"          {user.district_name}: user {user.username}, password in {user.password_file}")
        print(f"Logs:     {p.logs}")
        print("Ctrl-C stops everything.", flush=True)
        while all(proc.poll() is None for proc in procs):
            time.sleep(1)
        dead = [proc.args[0] for proc in procs if proc.poll() is not None]
        print(f"stopped unexpectedly: {dead}; see {p.logs}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C must not interrupt the shutdown and leave servers behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for proc in procs:
            stop(proc)


def _interrupt(*_) -> None:
    """SIGINT or SIGTERM (Ctrl-C, a supervisor, `kill`) stops `anju serve` and everything it started."""
    raise KeyboardInterrupt


def _wait_http(url: str, timeout: float) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="anju", description="Anju (安居): resettlement-housing data pipeline and warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a sample landing zone (and its ground truth) as the departments would")
    g.add_argument("--scale", choices=["small", "city", "province"], default="city")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--out", help="folder to write landing/ and truth/ into (default: $ANJU_HOME)")
    g.add_argument("--months", type=int, default=24)
    g.add_argument("--mess-rate", type=float, default=0.03)
    g.add_argument("--faults", action="store_true", help="also write whole-file faults as separate files")
    g.set_defaults(func=cmd_generate)

    r = sub.add_parser("run", help="run the whole pipeline through Dagster on $ANJU_HOME/landing")
    r.add_argument("--accept-blocking", action="append", default=[], metavar="FILE",
                   help="publish despite this file's blocking contract failures (file name or checksum; repeatable)")
    r.set_defaults(func=cmd_run)

    s = sub.add_parser("serve", help="start Dagster (webserver + daemon) and Superset; Ctrl-C stops them")
    s.add_argument("--dagster-port", type=int, default=3000)
    s.add_argument("--superset-port", type=int, default=8088)
    s.set_defaults(func=cmd_serve)

    b = sub.add_parser("bench", help="time every stage of the pipeline against DuckDB's bare read of the same files")
    b.add_argument("--scale", choices=["small", "city", "province"], default="city")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--home", help="where the sample and the bench's warehouse live (default: bench-data/<scale>; reused if present)")
    b.add_argument("--months", type=int, default=24, help="months of exports in the sample (the tests use fewer)")
    b.add_argument("--chart-requests", type=int, default=20, help="timed requests per overview chart, after one warm-up")
    b.set_defaults(func=cmd_bench)

    d = sub.add_parser("drill", help="prove the pipeline under stress: hostile files, crashes, readers during a refresh")
    d.add_argument("name", choices=["hostile", "crash", "concurrency"])
    d.add_argument("--scale", choices=["small", "city"], default="city")
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--home", help="working folder (default: a new temporary folder)")
    d.add_argument("--months", type=int, default=24, help="months of exports in the sample (the tests use fewer)")
    d.add_argument("--reference", help="crash: an ANJU_HOME holding a clean run of the same sample (default: the drill makes one)")
    d.set_defaults(func=cmd_drill)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
