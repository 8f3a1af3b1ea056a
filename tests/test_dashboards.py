"""The dashboards, roles and row-level security, on the warehouse the real pipeline published.

- the committed bundle is what dashboards/build_bundle.py writes, and fits the published marts;
- over HTTP, a district user's every chart holds only that district (it equals leadership's data
  filtered to the district), leadership sees every district, SQL Lab answers 403 to district users,
  and the download of each extract table is CSV with a BOM / XLSX holding only the district;
- Chromium opens every dashboard as leadership and as a district user: no chart in error, Chinese
  titles rendered, the city overview fits 1920×1080; screenshots in test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator

import duckdb
import openpyxl
import pytest
import yaml

from pipelines import extracts
from pipelines.settings import DASHBOARDS_DIR
from pipelines.superset_bundle import BUNDLE_DIR
from pipelines.superset_client import SupersetClient
from tests.superset_fixtures import browser_login, chart_errors, client_as, open_dashboard

pytestmark = pytest.mark.slow

sys.path.insert(0, str(DASHBOARDS_DIR))
import build_bundle  # noqa: E402

DASHBOARDS = {
    "city-overview": "安居·城市总览",
    "district-estate": "安居·区县与小区",
    "data-quality": "安居·数据质量",
    "district-extracts": "安居·区县明细下载",
}
LEADERSHIP_ONLY = {"data-quality"}  # no district in its data: district roles are not granted it
CJK = re.compile(r"[\u4e00-\u9fff]")


def _bundle(kind: str) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((BUNDLE_DIR / kind).rglob("*.yaml"))]


# ---- the bundle ------------------------------------------------------------------------------
def test_bundle_is_what_build_bundle_writes_for_the_published_marts(published_warehouse):
    rendered = build_bundle.render(published_warehouse.published_db)
    on_disk = {p.relative_to(BUNDLE_DIR).as_posix(): p.read_text(encoding="utf-8") for p in BUNDLE_DIR.rglob("*.yaml")}
    generated = {name for name in on_disk if on_disk[name].startswith(build_bundle.HEADER)}
    stale = sorted(name for name in rendered if on_disk.get(name) != rendered[name])
    assert not stale, f"regenerate with `python dashboards/build_bundle.py --warehouse ...`: {stale}"
    assert generated == set(rendered)


def test_every_title_label_and_column_is_chinese():
    for chart in _bundle("charts"):
        assert CJK.search(chart["slice_name"]), chart["slice_name"]
    for dataset in _bundle("datasets"):
        for column in dataset["columns"]:
            assert CJK.search(column["verbose_name"] or ""), (dataset["table_name"], column["column_name"])
        for metric in dataset["metrics"]:
            assert CJK.search(metric["verbose_name"] or ""), (dataset["table_name"], metric["metric_name"])
    for dashboard in _bundle("dashboards"):
        assert CJK.search(dashboard["dashboard_title"])
        for native_filter in dashboard["metadata"]["native_filter_configuration"]:
            assert CJK.search(native_filter["name"])


# ---- roles and row-level security over HTTP -------------------------------------------------
def _normalised(rows: list[dict]) -> list[str]:
    def value(v):
        return round(v, 6) if isinstance(v, float) else v

    return sorted(json.dumps({k: value(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False) for row in rows)


@pytest.fixture(scope="module")
def admin(superset_server) -> SupersetClient:
    return client_as(superset_server, superset_server.login)


@pytest.fixture(scope="module")
def dataset_columns(admin) -> dict[int, set[str]]:
    out = {}
    for chart in admin.charts():
        if chart["datasource_id"] not in out:
            body = admin.raw("GET", f"/api/v1/dataset/{chart['datasource_id']}").json()["result"]
            out[chart["datasource_id"]] = {c["column_name"] for c in body["columns"]}
    return out


def _district_names(server) -> dict[str, str]:
    with duckdb.connect(str(server.paths.published_db), read_only=True) as con:
        return dict(con.execute("SELECT district_code, any_value(district_name) FROM marts.community_scorecard GROUP BY 1").fetchall())


def test_district_user_sees_only_their_district_in_every_chart(superset_server, demo_users, admin, dataset_columns):
    """Every chart of one district user equals leadership's data filtered to that district; for
    the other districts (2 cores in CI: ~0.5 s a query), the charts that list districts."""
    names = _district_names(superset_server)
    all_charts = {c["slice_name"]: c for c in admin.charts()}
    for index, user in enumerate(demo_users[1:]):
        client = client_as(superset_server, user)
        visible = {c["slice_name"]: c for c in client.charts()}
        # Everything with a district, plus 数据截至; nothing of the data-quality board.
        expected = {n for n, c in all_charts.items() if "district_code" in dataset_columns[c["datasource_id"]]} | {"数据截至"}
        assert set(visible) == expected, user.username
        for name, chart in visible.items():
            if index > 0 and not name.startswith("各区县") and "明细下载" not in name:
                continue
            mine = client.chart_data(chart)
            has_district = "district_code" in dataset_columns[chart["datasource_id"]]
            filters = [{"col": "district_code", "op": "==", "val": user.district_code}] if has_district else []
            theirs = admin.chart_data(all_charts[name], extra_filters=filters)
            assert _normalised(mine["data"]) == _normalised(theirs["data"]), f"{user.username}: {name}"
            for row in mine["data"]:
                if "district_name" in row:
                    assert row["district_name"] == names[user.district_code], f"{user.username}: {name}: {row}"
                if "district_code" in row:
                    assert row["district_code"] == user.district_code
        # The data-quality charts stay closed even when asked for directly.
        with pytest.raises(Exception, match="HTTP 403|HTTP 404"):
            client.chart_data(all_charts["各文件接收明细"])


def test_leadership_sees_every_district(superset_server, demo_users, admin):
    names = _district_names(superset_server)
    leader = client_as(superset_server, demo_users[0])
    charts = leader.charts()
    assert {c["slice_name"] for c in charts} == {c["slice_name"] for c in admin.charts()}
    for chart in charts:
        mine = leader.chart_data(chart)["data"]
        if chart["slice_name"].startswith("各区县"):
            assert {r["district_name"] for r in mine} == set(names.values()), chart["slice_name"]
        elif "明细下载" in chart["slice_name"] and mine:
            assert {r["district_name"] for r in mine} <= set(names.values())
    # The city row, not a district's: leadership's headline is the whole city.
    with duckdb.connect(str(superset_server.paths.published_db), read_only=True) as con:
        [(city,)] = con.execute("SELECT residents_on_roll FROM marts.city_overview WHERE district_code IS NULL "
                                "AND month = (SELECT max(month) FROM marts.city_overview)").fetchall()
    assert leader.chart_data("在册居民总数")["data"] == [{"residents_on_roll_total": city}]


def test_sql_lab_is_closed_to_district_users(superset_server, demo_users):
    for user in demo_users[1:]:
        client = client_as(superset_server, user)
        response = client.raw("POST", "/api/v1/sqllab/execute/", json={"database_id": 1, "sql": "SELECT 1", "runAsync": False})
        assert response.status_code == 403, (user.username, response.status_code)


def test_district_user_downloads_extracts_as_csv_with_bom_and_xlsx(superset_server, demo_users, tmp_path):
    manifest = extracts.write_district_extracts(superset_server.paths.published_db, tmp_path)
    user = demo_users[1]
    client = client_as(superset_server, user)
    name = manifest["districts"][user.district_code]["name"]
    for extract in extracts.EXTRACTS:
        chart = f"{extract.title}（明细下载）"
        headers = [c.header for c in extract.columns]
        with open(manifest["districts"][user.district_code]["files"][extract.title]["csv"], encoding="utf-8-sig") as f:
            file_rows = list(csv.reader(f))[1:]

        body = client.chart_download(chart, "csv").content
        assert body.startswith(b"\xef\xbb\xbf"), f"{chart}: CSV without BOM"
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0] == headers, chart
        assert len(rows) - 1 == len(file_rows), chart
        assert {r[0] for r in rows[1:]} <= {name}, chart
        assert {r[3] for r in rows[1:]} == {r[3] for r in file_rows}, chart
        for row in rows[1:]:
            for cell in row:
                assert not extracts.find_leaks(cell), (chart, cell)
                assert not cell.startswith(("=", "+", "@")) and not re.match(r"^-[^0-9.]", cell), (chart, cell)

        book = openpyxl.load_workbook(io.BytesIO(client.chart_download(chart, "xlsx").content), read_only=True)
        sheet_rows = list(book.worksheets[0].iter_rows(values_only=True))
        header = [h for h in sheet_rows[0] if h is not None]
        assert header == headers or header[1:] == headers, (chart, header)  # pandas may write an index column
        assert len(sheet_rows) - 1 == len(file_rows), chart


# ---- Chromium --------------------------------------------------------------------------------
@pytest.fixture
def page(chromium_browser) -> Iterator:
    context = chromium_browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("who", ["leadership", "district"])
def test_dashboards_render_in_chromium(superset_server, demo_users, page, artifacts, who):
    user = demo_users[0] if who == "leadership" else demo_users[1]
    browser_login(page, superset_server, user.username, user.password)
    problems = []
    for slug, title in DASHBOARDS.items():
        shot = artifacts / f"dashboard-{slug}-{user.username}.png"
        if who == "district" and slug in LEADERSHIP_ONLY:
            page.goto(f"{superset_server.url}/superset/dashboard/{slug}/")
            page.wait_for_timeout(2000)
            if page.locator('[data-test="chart-grid-component"]').count():
                problems.append(f"{slug}: charts shown to a district user")
            page.screenshot(path=shot)
            continue
        try:
            height = open_dashboard(page, superset_server, slug)
            if slug == "city-overview" and height > 1080:
                problems.append(f"{slug}: {height} px high, scrolls at 1920×1080")
            errors = chart_errors(page)
            if errors:
                problems.append(f"{slug}: chart errors {errors}")
            body = page.locator("body").inner_text()
            expected = [title] + [c.title for _, charts in next(d for d in build_bundle.DASHBOARDS if d.slug == slug).rows for c, _ in charts]
            missing = [t for t in expected if t not in body]
            if missing:
                problems.append(f"{slug}: titles not rendered {missing}")
        finally:
            page.screenshot(path=shot)
    assert not problems, problems
