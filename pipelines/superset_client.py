"""A small client for Superset's REST API: log in, list charts and dashboards, fetch chart data.

Used by the tests and, later, to check row-level security per role over HTTP.

    client = SupersetClient("http://127.0.0.1:8088").login(login.username, login.password)
    result = client.chart_data("在册居民总数")      # {"colnames": [...], "data": [{...}], ...}
"""

from __future__ import annotations

import json
from typing import Any

import requests


class SupersetError(RuntimeError):
    pass


class SupersetClient:
    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def login(self, username: str, password: str) -> SupersetClient:
        """JWT login, then a CSRF token: Superset checks it on the API's POSTs, bound to the
        session cookie that requests.Session keeps."""
        token = self._request(
            "POST", "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": False},
        )["access_token"]  # fmt: skip
        self.session.headers["Authorization"] = f"Bearer {token}"
        csrf = self._request("GET", "/api/v1/security/csrf_token/")["result"]
        # Flask-WTF also checks the Referer on HTTPS; harmless on HTTP.
        self.session.headers.update({"X-CSRFToken": csrf, "Referer": self.base_url})
        return self

    def charts(self) -> list[dict[str, Any]]:
        """Every chart the user may see, with id, slice_name, viz_type, params (JSON text),
        datasource_id and datasource_type."""
        return self._list("/api/v1/chart/")

    def dashboards(self) -> list[dict[str, Any]]:
        return self._list("/api/v1/dashboard/")

    def chart(self, name: str) -> dict[str, Any]:
        matches = [chart for chart in self.charts() if chart["slice_name"] == name]
        if len(matches) != 1:
            raise SupersetError(f"expected one chart named {name!r}, found {len(matches)}")
        return matches[0]

    def chart_data(self, name: str | dict[str, Any], extra_filters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The first query's result of the chart (a name or an item of charts()), as the dashboard
        would fetch it: `colnames`, `data` (one dict per row, keyed by column name or metric
        label), `rowcount`, ... `extra_filters` ({"col", "op", "val"}) are ANDed to the query."""
        chart = self.chart(name) if isinstance(name, str) else name
        payload = query_context(chart)
        payload["queries"][0]["filters"] += extra_filters or []
        result = self._request("POST", "/api/v1/chart/data", json=payload)["result"]
        return result[0]

    def chart_download(self, name: str, result_format: str) -> requests.Response:
        """The chart's full result as a file ("csv" or "xlsx"), as the chart menu's download does."""
        payload = query_context(self.chart(name))
        payload.update(result_format=result_format, result_type="full")
        response = self.session.post(self.base_url + "/api/v1/chart/data", json=payload, timeout=self.timeout)
        if not response.ok:
            raise SupersetError(f"download {name}: HTTP {response.status_code}: {response.text[:500]}")
        return response

    def raw(self, method: str, endpoint: str, **kwargs: Any) -> requests.Response:
        """An API call whose status the caller checks (e.g. expecting 403)."""
        return self.session.request(method, self.base_url + endpoint, timeout=self.timeout, **kwargs)

    def _list(self, endpoint: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 0
        while True:
            # `q` is Rison; this one needs no quoting.
            body = self._request("GET", endpoint, params={"q": f"(page:{page},page_size:100)"})
            items += body["result"]
            if len(items) >= body["count"] or not body["result"]:
                return items
            page += 1

    def _request(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.base_url + endpoint, timeout=self.timeout, **kwargs)
        if not response.ok:
            raise SupersetError(f"{method} {endpoint}: HTTP {response.status_code}: {response.text[:2000]}")
        return response.json()


def query_context(chart: dict[str, Any]) -> dict[str, Any]:
    """Build the body of POST /api/v1/chart/data from a chart's saved params.

    Imported charts carry no saved query context (the browser builds one per chart type), so this
    does the same for the chart types Anju uses; add a type here when a dashboard starts using it.
    """
    params = json.loads(chart["params"])
    viz_type = params["viz_type"]
    query: dict[str, Any] = {**_filters(params.get("adhoc_filters", [])), "row_limit": params.get("row_limit")}
    if viz_type == "big_number_total":
        query.update(metrics=[params["metric"]], columns=[], orderby=[])
    elif viz_type == "table" and params.get("query_mode") == "raw":
        query.update(
            metrics=None,  # None, not []: an empty list still makes Superset GROUP BY the columns
            columns=params["all_columns"],
            orderby=[json.loads(pair) for pair in params.get("order_by_cols", [])],
        )
    elif viz_type in ("echarts_timeseries_bar", "echarts_timeseries_line"):
        x_axis = params["x_axis"]
        if params.get("time_grain_sqla"):
            x_axis = {"columnType": "BASE_AXIS", "sqlExpression": x_axis, "label": x_axis, "expressionType": "SQL",
                      "timeGrain": params["time_grain_sqla"]}
        query.update(metrics=params["metrics"], columns=[x_axis, *(params.get("groupby") or [])], orderby=[])
    elif viz_type == "pie":
        query.update(metrics=[params["metric"]], columns=params["groupby"], orderby=[[params["metric"], False]])
    elif viz_type == "table":
        metrics = params.get("metrics") or []
        query.update(
            metrics=metrics,
            columns=params.get("groupby") or [],
            orderby=[[metrics[0], not params.get("order_desc", True)]] if metrics else [],
        )
    else:
        raise NotImplementedError(f"query_context: chart type {viz_type!r} ({chart['slice_name']})")
    return {
        "datasource": {"id": chart["datasource_id"], "type": chart["datasource_type"]},
        "force": False,
        "queries": [query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }


def _filters(adhoc_filters: list[dict[str, Any]]) -> dict[str, Any]:
    """Adhoc filters as a query's `filters` (simple ones) and `extras` (custom SQL ones)."""
    filters, where, having = [], [], []
    for adhoc in adhoc_filters:
        if adhoc["expressionType"] == "SIMPLE":
            filters.append({"col": adhoc["subject"], "op": adhoc["operator"], "val": adhoc.get("comparator")})
        elif adhoc["clause"] == "WHERE":
            where.append(f"({adhoc['sqlExpression']})")
        else:
            having.append(f"({adhoc['sqlExpression']})")
    return {"filters": filters, "extras": {"where": " AND ".join(where), "having": " AND ".join(having)}}
