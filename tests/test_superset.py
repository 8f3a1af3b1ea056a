"""Superset, started by the test session on the warehouse the real pipeline published: its chart
data API answers with the marts' numbers, and `prepare` is idempotent. (Dashboards in Chromium,
roles and row-level security: tests/test_dashboards.py.)"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines import superset_service
from pipelines.superset_bundle import BUNDLE_DIR
from pipelines.superset_client import SupersetClient
from tests.superset_fixtures import SupersetServer

pytestmark = pytest.mark.slow

DASHBOARD_TITLES = {"安居·城市总览", "安居·区县与小区", "安居·数据质量", "安居·区县明细下载"}


def _warehouse(server: SupersetServer, sql: str) -> list[tuple]:
    # Read-only, like Superset: both may hold the file at once.
    with duckdb.connect(str(server.paths.published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_chart_data_api_answers_with_the_marts_numbers(superset_server, superset_client: SupersetClient):
    latest = "(SELECT max(month) FROM marts.city_overview)"
    [(total,)] = _warehouse(
        superset_server, f"SELECT residents_on_roll FROM marts.city_overview WHERE district_code IS NULL AND month = {latest}"
    )
    assert total > 0
    big_number = superset_client.chart_data("在册居民总数")
    assert big_number["data"] == [{"residents_on_roll_total": total}]

    rows = _warehouse(
        superset_server,
        f"SELECT district_name, avg_total_score FROM marts.city_overview WHERE district_code IS NOT NULL AND month = {latest}",
    )
    by_district = superset_client.chart_data("各区县平均综合得分")["data"]
    assert sorted((r["district_name"], r["avg_total_score"]) for r in by_district) == sorted(rows)

    [(as_of,)] = _warehouse(superset_server, "SELECT as_of FROM marts.publication")
    [shown] = superset_client.chart_data("数据截至")["data"]
    # Superset sends temporal values as epoch milliseconds (UTC).
    assert dt.datetime.fromtimestamp(shown["as_of"] / 1000, dt.UTC).date() == as_of


def test_prepare_is_idempotent(superset_server, superset_client: SupersetClient):
    def inventory():
        dashboards = {d["dashboard_title"]: d["id"] for d in superset_client.dashboards()}
        charts = sorted((c["slice_name"], c["id"]) for c in superset_client.charts())
        roles = sorted((r["name"], r["id"]) for r in superset_client.raw("GET", "/api/v1/security/roles/?q=(page_size:100)").json()["result"])
        rls = sorted((r["name"], r["id"]) for r in superset_client.raw("GET", "/api/v1/rowlevelsecurity/?q=(page_size:100)").json()["result"])
        return dashboards, charts, roles, rls

    before = inventory()
    assert set(before[0]) == DASHBOARD_TITLES
    assert len(before[1]) == len(list((BUNDLE_DIR / "charts").glob("*.yaml")))
    assert any(name.startswith(superset_service.DISTRICT_ROLE_PREFIX) for name, _ in before[2])
    assert before[3], "no row-level security filters"

    superset_service.prepare(superset_server.paths)  # nothing changed: skips every step
    superset_service.prepare(superset_server.paths, reimport=True)  # imports and sets up security again
    # Same objects, same ids: updated in place, nothing duplicated.
    assert inventory() == before
