"""Pytest fixtures for tests that need a running Superset or a headless browser.

Registered from tests/conftest.py (`pytest_plugins`). `superset_server` builds on the session
fixture `published_warehouse` (conftest.py): the Paths of a temporary ANJU_HOME whose warehouse the
real pipeline has published.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from pipelines import superset_service
from pipelines.settings import Paths
from pipelines.superset_client import SupersetClient
from pipelines.superset_service import DemoUser, Login

# Debian's chromium, never a Playwright download (STACK.md, "Browser").
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class SupersetServer:
    url: str
    login: Login
    paths: Paths


@pytest.fixture(scope="session")
def superset_server(published_warehouse: Paths) -> Iterator[SupersetServer]:
    with superset_service.running(published_warehouse, timeout=180) as server:
        yield SupersetServer(server.url, server.login, published_warehouse)


@pytest.fixture
def superset_client(superset_server: SupersetServer) -> SupersetClient:
    # Per test: the JWT expires after 15 minutes, which a whole session can outlast.
    return SupersetClient(superset_server.url).login(superset_server.login.username, superset_server.login.password)


@pytest.fixture(scope="session")
def demo_users(superset_server: SupersetServer) -> list[DemoUser]:
    """Leadership first, then one user per district (created by prepare)."""
    users = superset_service.demo_users(superset_server.paths)
    assert users[0].district_code is None and len(users) > 2, users
    return users


def client_as(server: SupersetServer, user: DemoUser | Login) -> SupersetClient:
    return SupersetClient(server.url).login(user.username, user.password)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def browser_login(page: Page, server: SupersetServer, username: str | None = None, password: str | None = None) -> None:
    """Log in through Superset's login form, as a person would (admin unless told otherwise)."""
    page.goto(f"{server.url}/login/")
    page.fill("#username", username or server.login.username)
    page.fill("#password", password or server.login.password)
    page.click("[data-test=login-button]")
    page.wait_for_url(lambda url: "/login" not in url)


# Each chart on a dashboard sits in a chart-grid-component. While it loads, it shows a
# loading-indicator; a failed chart shows an Ant Design alert (role="alert") instead of the chart.
_CHARTS_SETTLED_JS = """() => {
    const charts = [...document.querySelectorAll('[data-test="chart-grid-component"]')];
    return charts.length > 0 && charts.every(chart =>
        !chart.querySelector('[data-test="loading-indicator"]')
        && chart.querySelector('[data-test="chart-container"], [role="alert"]'));
}"""


def wait_for_charts(page: Page, timeout_ms: float = 60_000) -> None:
    """Wait until every chart of the open dashboard has either rendered or failed."""
    page.wait_for_function(_CHARTS_SETTLED_JS, timeout=timeout_ms)


def chart_errors(page: Page) -> list[str]:
    """The text of every error shown in a chart of the open dashboard."""
    return page.locator('[data-test="chart-grid-component"] [role="alert"]').all_inner_texts()


def open_dashboard(page: Page, server: SupersetServer, slug: str, width: int = 1920, height: int = 1080) -> int:
    """Open a dashboard at width×height, wait for its charts; return the page's scroll height.

    Then grow the viewport to the whole page and wait again, so that charts below the fold render
    too (Superset renders charts only near the viewport) and a screenshot shows them all."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server.url}/superset/dashboard/{slug}/")
    wait_for_charts(page)
    page.wait_for_timeout(500)  # echarts animates in
    scroll_height = page.evaluate("document.documentElement.scrollHeight")
    if scroll_height > height:
        page.set_viewport_size({"width": width, "height": scroll_height})
        wait_for_charts(page)
        page.wait_for_timeout(1000)
    return scroll_height
