"""Chart latency: every chart of 城市总览 through Superset's chart-data API on the published warehouse.

Superset is started on the bench's ANJU_HOME (a free port), each chart is queried once to warm
up and then `repeat` times, one request at a time, as `POST /api/v1/chart/data` with the query
context the dashboard sends. Superset's data cache is off (NullCache), so every request reaches
DuckDB.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

from pipelines import superset_service
from pipelines.settings import Paths
from pipelines.superset_client import SupersetClient

DASHBOARD = "city-overview"


@dataclass(frozen=True)
class ChartLatency:
    chart: str
    viz_type: str
    p50_s: float
    p95_s: float
    max_s: float


def overview_latency(paths: Paths, repeat: int) -> tuple[list[ChartLatency], float]:
    """Latency per chart of the dashboard, and the seconds Superset took to prepare and start."""
    started = time.perf_counter()
    with superset_service.running(paths) as server:
        setup = time.perf_counter() - started
        client = SupersetClient(server.url).login(server.login.username, server.login.password)
        on_dashboard = {c["id"] for c in client.raw("GET", f"/api/v1/dashboard/{DASHBOARD}/charts").json()["result"]}
        charts = sorted((c for c in client.charts() if c["id"] in on_dashboard), key=lambda c: c["slice_name"])
        results = []
        for chart in charts:
            client.chart_data(chart)  # warm-up: Superset's and DuckDB's first-use costs
            samples = []
            for _ in range(repeat):
                begun = time.perf_counter()
                client.chart_data(chart)
                samples.append(time.perf_counter() - begun)
            viz = chart.get("viz_type") or ""
            results.append(ChartLatency(chart["slice_name"], viz, statistics.median(samples), float(np.percentile(samples, 95)), max(samples)))
        return results, setup
