"""`anju drill concurrency`: leadership's dashboard queried while the pipeline publishes a new snapshot.

From a home published from all but the newest month (drills/homes.py), Superset is started on the
published warehouse and the answers of every chart of 安居·城市总览 are recorded (the old
snapshot), plus one query asking for all its headline figures at once. Then the held-back month
arrives and `anju run` builds and publishes the next snapshot while a bounded client (THREADS
threads on 127.0.0.1, each waiting THINK_S between requests) posts the same queries to
`/api/v1/chart/data` in a loop. After the run, the answers are recorded again (the new snapshot).

Every answer in the loop must equal the old or the new snapshot's answer to that query: a chart of
several rows (districts, months) or the headline query would come out as neither if it read a mix
of the two. No request may fail, and no request that starts after a new answer arrived may get an
old one. Prints requests, errors, old/new/mixed counts and p50/p95 latency; exits non-zero on any
error, mix or step back.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from drills.homes import PipelineRun, clone, deliver, drill_root, ensure_base, percentile, say, snapshot_of
from pipelines import superset_service
from pipelines.superset_client import SupersetClient, query_context

THREADS = 4
THINK_S = 0.05
AFTER_RUN_S = 10  # keep asking after the run, so that every thread sees the new snapshot
RELOGIN_S = 600  # Superset's access token lasts 15 minutes; a city-scale run lasts longer
DASHBOARD = "city-overview"
HEADLINE = "城市总览·全部头条指标（一次查询）"


@dataclass
class Answer:
    thread: int
    query: str
    started: float
    ended: float
    value: str | None  # canonical JSON of the rows; None on error
    error: str = ""


def main(args) -> int:
    root = drill_root(args, "concurrency")
    base = ensure_base(root, args.scale, args.seed, args.months)
    home = clone(base, root / "concurrency")
    with superset_service.running(home) as server:
        url, login = server.url, server.login
        client = SupersetClient(url).login(login.username, login.password)
        queries = _queries(client)
        old_snapshot = snapshot_of(home.published_db)
        old = _answers(client, queries)
        if old != _answers(client, queries):
            say("FAILED: the same snapshot gave two different answers; nothing can be compared")
            return 1
        say(f"concurrency drill ({args.scale}, seed {args.seed}): {len(queries)} queries of {DASHBOARD} on snapshot "
            f"{old_snapshot[:8]}; {THREADS} threads on {url}; {len(base.held_back)} files of {base.month} arrive, anju run starts")

        deliver(base.held_back, base.sample_landing, home.landing)
        answers: list[Answer] = []
        stop = threading.Event()
        threads = [threading.Thread(target=_loop, args=(i, url, login, queries, answers, stop)) for i in range(THREADS)]
        for t in threads:
            t.start()
        started = time.monotonic()
        run = PipelineRun(home, root / "concurrency-run.log")
        code = run.wait()
        run_s = time.monotonic() - started
        time.sleep(AFTER_RUN_S)
        stop.set()
        for t in threads:
            t.join()
        new_snapshot = snapshot_of(home.published_db)
        new = _answers(client, queries)

    changed = [q for q in queries if old[q] != new[q]]
    counts = {"old": 0, "new": 0, "unchanged": 0, "mixed": 0, "error": 0}
    first_new = min((a.ended for a in answers if a.value is not None and a.value == new[a.query] != old[a.query]), default=None)
    stepped_back = 0
    for a in answers:
        kind = _classify(a, old[a.query], new[a.query])
        counts[kind] += 1
        if kind == "old" and first_new is not None and a.started > first_new:
            stepped_back += 1
    latencies = [1000 * (a.ended - a.started) for a in answers]
    span = max((a.ended for a in answers), default=0) - min((a.started for a in answers), default=0)
    say(f"pipeline run: exit {code} after {run_s:.0f} s; snapshot {old_snapshot[:8]} → {new_snapshot[:8]}; "
        f"{len(changed)} of {len(queries)} queries answer differently in the new snapshot")
    say(f"requests: {len(answers)} in {span:.0f} s ({len(answers) / max(span, 1e-9):.1f}/s), errors: {counts['error']}")
    say(f"answers: old {counts['old']}, new {counts['new']}, same in both {counts['unchanged']}, mixed {counts['mixed']}; "
        f"old after a new one: {stepped_back}")
    say(f"latency: p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies, default=0):.0f} ms")
    for a in [a for a in answers if a.error][:5]:
        say(f"  error: {a.query}: {a.error}")

    ok = (code == 0 and new_snapshot != old_snapshot and changed and counts["error"] == 0 and counts["mixed"] == 0
          and stepped_back == 0 and counts["old"] > 0 and counts["new"] > 0)
    say(f"RESULT: {'OK' if ok else 'FAILED'}")
    report = {"ok": ok, "exit": code, "run_s": round(run_s, 1), "requests": len(answers), **counts, "stepped_back": stepped_back,
              "changed_queries": len(changed), "queries": len(queries), "old_snapshot": old_snapshot, "new_snapshot": new_snapshot,
              "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1)}
    (root / "concurrency-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if ok else 1


def _queries(client: SupersetClient) -> dict[str, dict]:
    """The dashboard's charts as its page queries them, plus every headline metric in one query."""
    on_dashboard = {c["id"] for c in client.raw("GET", f"/api/v1/dashboard/{DASHBOARD}/charts").json()["result"]}
    charts = [c for c in client.charts() if c["id"] in on_dashboard]
    queries = {c["slice_name"]: query_context(c) for c in charts}
    headline = [c for c in charts if c["viz_type"] == "big_number_total" and c["datasource_id"] == queries["在册居民总数"]["datasource"]["id"]]
    combined = query_context(headline[0])
    combined["queries"][0]["metrics"] = [json.loads(c["params"])["metric"] for c in headline]
    queries[HEADLINE] = combined
    return queries


def _answers(client: SupersetClient, queries: dict[str, dict]) -> dict[str, str]:
    answers = {}
    for name, payload in queries.items():
        response = client.raw("POST", "/api/v1/chart/data", json=payload)
        if not response.ok:
            raise RuntimeError(f"{name}: HTTP {response.status_code}: {response.text[:500]}")
        answers[name] = _canonical(response.json()["result"][0]["data"])
    return answers


def _canonical(rows: list[dict]) -> str:
    """Rows as sorted JSON: row order is not part of an answer, and floats keep 12 significant digits."""
    def value(v):
        return float(f"{v:.12g}") if isinstance(v, float) else v
    return json.dumps(sorted(json.dumps({k: value(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False) for row in rows),
                      ensure_ascii=False)


def _loop(index: int, url: str, login, queries: dict[str, dict], answers: list[Answer], stop: threading.Event) -> None:
    names = list(queries)
    client, logged_in = SupersetClient(url).login(login.username, login.password), time.monotonic()
    i = index  # threads start at different queries
    while not stop.is_set():
        if time.monotonic() - logged_in > RELOGIN_S:
            client, logged_in = SupersetClient(url).login(login.username, login.password), time.monotonic()
        name = names[i % len(names)]
        i += 1
        started = time.monotonic()
        try:
            response = client.raw("POST", "/api/v1/chart/data", json=queries[name])
            if response.ok:
                answer = Answer(index, name, started, time.monotonic(), _canonical(response.json()["result"][0]["data"]))
            else:
                answer = Answer(index, name, started, time.monotonic(), None, f"HTTP {response.status_code}: {response.text[:300]}")
        except Exception as exc:  # noqa: BLE001 - a failed request is a finding, not a crash of the drill
            answer = Answer(index, name, started, time.monotonic(), None, f"{type(exc).__name__}: {exc}")
        answers.append(answer)  # list.append is atomic under the GIL
        time.sleep(THINK_S)


def _classify(answer: Answer, old: str, new: str) -> str:
    if answer.value is None:
        return "error"
    if answer.value == old == new:
        return "unchanged"
    if answer.value == old:
        return "old"
    if answer.value == new:
        return "new"
    return "mixed"
