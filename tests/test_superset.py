"""Superset, started by the test session on the warehouse the real pipeline published: its chart
data API, the idempotence of `prepare`, and the dashboard as Chromium renders it."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from playwright.sync_api import expect

from pipelines import superset_service
from pipelines.superset_client import SupersetClient
from tests.superset_fixtures import SupersetServer, browser_login, chart_errors, wait_for_charts

pytestmark = pytest.mark.slow

DASHBOARD_TITLE = "安居·城市总览"
DASHBOARD_SLUG = "city-overview"


def _warehouse(server: SupersetServer, sql: str) -> list[tuple]:
    # Read-only, like Superset: both may hold the file at once.
    with duckdb.connect(str(server.paths.published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_chart_data_api_answers_with_the_marts_numbers(superset_server, superset_client: SupersetClient):
    [(total,)] = _warehouse(superset_server, "SELECT SUM(residents_on_roll) FROM marts.estate_summary")
    assert total > 0
    big_number = superset_client.chart_data("在册居民总数")
    assert big_number["data"] == [{"residents_on_roll_total": total}]

    rows = _warehouse(
        superset_server,
        """SELECT district_name, estate_name, residents_on_roll, households_on_roll, dwellings
           FROM marts.estate_summary ORDER BY district_code, estate_code""",
    )
    table = superset_client.chart_data("各小区概况")
    assert table["colnames"] == ["district_name", "estate_name", "residents_on_roll", "households_on_roll", "dwellings"]
    assert [tuple(row[name] for name in table["colnames"]) for row in table["data"]] == rows

    [(as_of,)] = _warehouse(superset_server, "SELECT as_of FROM marts.publication")
    [shown] = superset_client.chart_data("数据截至")["data"]
    # Superset sends temporal values as epoch milliseconds (UTC).
    assert dt.datetime.fromtimestamp(shown["as_of"] / 1000, dt.UTC).date() == as_of


def test_prepare_is_idempotent(superset_server, superset_client: SupersetClient):
    def inventory():
        dashboards = {d["dashboard_title"]: d["id"] for d in superset_client.dashboards()}
        charts = sorted((c["slice_name"], c["id"]) for c in superset_client.charts())
        return dashboards, charts

    before = inventory()
    assert list(before[0]) == [DASHBOARD_TITLE]
    assert len(before[1]) == 3

    superset_service.prepare(superset_server.paths)  # nothing changed: skips every step
    superset_service.prepare(superset_server.paths, reimport=True)  # imports the same bundle again
    # Same objects, same ids: updated in place, nothing duplicated.
    assert inventory() == before


def test_dashboard_renders_in_chromium(superset_server, chromium_browser, artifacts):
    [(total,)] = _warehouse(superset_server, "SELECT SUM(residents_on_roll) FROM marts.estate_summary")
    page = chromium_browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        browser_login(page, superset_server)
        page.goto(f"{superset_server.url}/superset/dashboard/{DASHBOARD_SLUG}/")
        wait_for_charts(page)

        assert chart_errors(page) == []
        big_number = page.locator('[data-test="chart-grid-component"]', has_text="在册居民总数")
        # The Big Number's format is ",d": the exact integer with thousands separators.
        expect(big_number).to_contain_text(f"{total:,d}")
        body = page.locator("body").inner_text()
        for text in (DASHBOARD_TITLE, "各小区概况", "数据截至"):
            assert text in body
    finally:
        # Also on failure: the screenshot is what shows why.
        page.screenshot(path=artifacts / "superset-city-overview.png", full_page=True)
        page.close()
