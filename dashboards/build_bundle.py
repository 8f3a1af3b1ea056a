"""Write Anju's Superset asset bundle (dashboards/bundle/*.yaml) from the definitions below.

The YAML in dashboards/bundle/ is what Superset imports (pipelines/superset_bundle.py zips it);
this script is how it is written, so that forty charts and four layouts stay consistent (uuids,
Chinese labels, grid positions, native-filter scopes). Edit here, then regenerate and commit both:

    .venv/bin/python dashboards/build_bundle.py --warehouse $ANJU_HOME/warehouse/anju.duckdb

The warehouse is read only to learn the column names and types of the datasets (DESCRIBE); no
data goes into the bundle. Every column needs a Chinese label in LABELS: the script refuses to
write a dataset with an unlabelled column. tests/test_dashboards.py checks that the committed
bundle equals what this script writes for the published warehouse.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from pipelines import extracts  # noqa: E402

BUNDLE = REPO / "dashboards" / "bundle"
DATABASE_UUID = "fc8291a5-e18d-48df-b660-535f781f7764"
_NS = uuid.UUID("0b8f4a8e-5d1c-4c1e-9a57-6a6a75e1a001")
# Objects the walking skeleton created keep their uuids (Superset matches re-imports by uuid).
FIXED_UUIDS = {
    "dataset:publication": "600419fd-48ee-4ff1-840b-484b7669e281",
    "dataset:estate_summary": "57496bd5-fc15-4eee-a4f2-cd827599ca8e",
    "chart:在册居民总数": "f2bfac61-2589-42d3-90a2-aa5c8e095cde",
    "chart:数据截至": "a2f45901-b161-4cb2-b410-edbf57209757",
    "dashboard:city-overview": "6a541ea6-1bff-4771-94e6-30058973b8a6",
}


def uid(kind: str, name: str) -> str:
    return FIXED_UUIDS.get(f"{kind}:{name}") or str(uuid.uuid5(_NS, f"{kind}:{name}"))


# ----------------------------------------------------------------------------------------------
# Chinese labels of every column of every dataset. One place: a mart column renamed upstream is
# renamed here.
LABELS = {
    "month": "月份", "month_label": "月份", "district_code": "区县代码", "district_name": "区县",
    "street_code": "街道代码", "street_name": "街道", "estate_code": "小区编码", "estate_name": "小区",
    "estate_type": "小区类型", "satisfaction_rate": "居民满意度", "mediation_rate": "矛盾调解成功率",
    "fund_collection_rate": "维修资金归集率", "fee_collection_rate": "物业费收缴率", "participation_rate": "居民参与率",
    "service_rate": "服务供给达标率", "satisfaction_score": "满意度得分", "mediation_score": "调解得分",
    "fund_collection_score": "维修资金得分", "fee_collection_score": "物业费得分", "participation_score": "参与率得分",
    "service_score": "服务供给得分", "total_score": "综合得分", "grade": "等级", "district_rank": "区内排名",
    "list_flag": "红黑榜", "n_indicator": "N指标", "n_value": "N指标值", "n_indicator_value": "N指标值",
    "residents_on_roll": "在册居民", "households_on_roll": "在册户数", "aged_60_plus_share": "60岁以上占比",
    "is_city": "是否全市", "estates": "小区数", "dwellings": "房屋套数", "dwellings_allocated": "已分配套数",
    "avg_total_score": "平均综合得分", "excellent_estates": "优秀小区数", "failing_estates": "不合格小区数",
    "red_list_count": "红榜小区数", "black_list_count": "黑榜小区数", "complaint_response_rate": "投诉响应及时率",
    "complaint_closure_rate": "投诉办结率", "callback_satisfaction_rate": "回访满意率",
    "certificate_median_days": "办证时长中位数（天）", "certificate_mean_days": "办证时长平均数（天）",
    "certificate_backlog": "办证积压（套）", "legacy_title_problems": "历史遗留产权问题（套）",
    "resale_eligible_dwellings": "可上市交易房屋（套）", "owners_committee_rate": "业委会成立率",
    "low_income_count": "低保人数", "disabled_count": "残疾人数", "elderly_alone_count": "独居老人人数",
    "unemployed_count": "失业人数", "left_behind_children_count": "留守儿童人数",
    "fund_expenditure_w12": "近12个月维修资金使用（元）", "estates_without_school_1km": "1公里内无小学的小区数",
    "complaints_neighbour_dispute": "邻里纠纷", "complaints_property_service": "物业服务", "complaints_public_space": "公共空间",
    "complaints_facility_repair": "设施报修", "complaints_policy_enquiry": "政策咨询", "complaints_other": "其他",
    "complaint_type": "诉求类型", "complaints": "工单数", "orders_dispatched": "当月派单数",
    "special_dibao": "低保人数", "special_disabled": "残疾人数", "special_elderly_alone": "独居老人人数",
    "special_unemployed": "失业人数", "special_left_behind_children": "留守儿童人数",
    "fund_amount_paid": "维修资金实缴（元）", "fund_amount_due": "维修资金应缴（元）", "fee_amount_received": "物业费实收（元）",
    "fee_amount_net_due": "物业费应收净额（元）", "total_unrounded": "综合得分（未舍入）", "assessment_year": "考核年度",
    # publication
    "snapshot_id": "快照编号", "published_at": "发布时间", "as_of": "数据截至",
    # data quality
    "source": "来源目录", "department_name": "部门", "file_sha": "文件指纹", "kind": "文件类别代码", "mode": "模式",
    "format": "格式", "warnings": "警告数", "as_of_from": "截至日期来源", "status_label": "状态", "file_name": "文件名", "kind_label": "文件类型", "status": "状态",
    "reason": "原因", "rows_read": "读取行数", "rows_loaded": "入库行数", "rows_rejected": "拒收行数",
    "rows_skipped": "跳过行数", "unmatched_rows": "未匹配小区行数", "arrived_at": "到达时间",
    "days_since_arrival": "距到达天数", "rule": "拒收规则", "rows": "行数", "file": "文件名",
}
# Extract datasets: their Chinese headers (pipelines/extracts.py) are their labels, dataset by
# dataset (Dataset.labels), so a download's headers are exactly the file's.

PCT = ".1%"
INT = ",d"
SCORE = ".1f"


# ----------------------------------------------------------------------------------------------
@dataclass
class Metric:
    name: str
    label: str
    expression: str
    fmt: str | None = None


@dataclass
class Dataset:
    name: str
    description: str
    sql: str | None = None  # None: the physical table marts.<name>
    metrics: list[Metric] = field(default_factory=list)
    main_dttm_col: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # overrides LABELS for this dataset

    @property
    def uuid(self) -> str:
        return uid("dataset", self.name)

    def describe_sql(self) -> str:
        return self.sql or f"SELECT * FROM marts.{self.name}"


LATEST_SCORECARD = "(SELECT max(month) FROM marts.community_scorecard)"
LATEST_OVERVIEW = "(SELECT max(month) FROM marts.city_overview)"
SIX = ["satisfaction", "mediation", "fund_collection", "fee_collection", "participation", "service"]


def _headline(column: str) -> str:
    # The broadest row the user may see: the city row (district_code NULL) for leadership, the
    # district's own row for a district role (row-level security removes the others).
    # arg_min_null, not arg_min: the city row's value counts even when it is NULL ("no data").
    return f"arg_min_null({column}, coalesce(district_code, ''))"


COMPLAINT_COLUMNS = ["complaints_neighbour_dispute", "complaints_property_service", "complaints_public_space",
                     "complaints_facility_repair", "complaints_policy_enquiry", "complaints_other"]
# data_quality.status is loaded | quarantined | duplicate (pipelines/ingest/loader.py).
STATUS_LABEL = ("CASE status WHEN 'loaded' THEN '已入库' WHEN 'quarantined' THEN '已隔离' "
                "WHEN 'duplicate' THEN '重复文件' ELSE status END")

DATASETS = [
    Dataset("publication", "当前发布的数据快照（一行）", metrics=[Metric("as_of", "数据截至", "MAX(as_of)")]),
    Dataset(
        "estate_summary", "每个小区一行：在册居民、在册户数、房屋套数（dbt 模型 marts.estate_summary）",
        metrics=[
            Metric("residents_on_roll_total", "在册居民总数", "SUM(residents_on_roll)", INT),
            Metric("households_on_roll_total", "在册户数", "SUM(households_on_roll)", INT),
            Metric("dwellings_total", "房屋套数", "SUM(dwellings)", INT),
            Metric("estates", "小区数", "COUNT(DISTINCT estate_code)", INT),
        ],
    ),
    Dataset(
        "overview_latest", "城市总览：最新考核月，全市一行（区县代码为空）加每个区县一行（marts.city_overview）",
        sql=f"SELECT *, district_code IS NULL AS is_city FROM marts.city_overview WHERE month = {LATEST_OVERVIEW}",
        metrics=[
            Metric("h_estates", "小区数", _headline("estates"), INT),
            Metric("h_dwellings", "房屋套数", _headline("dwellings"), INT),
            Metric("residents_on_roll_total", "在册居民总数", _headline("residents_on_roll"), INT),
            Metric("h_aged_60_plus_share", "60岁以上占比", _headline("aged_60_plus_share"), PCT),
            Metric("h_avg_total_score", "平均综合得分", _headline("avg_total_score"), SCORE),
            Metric("h_excellent_estates", "优秀小区", _headline("excellent_estates"), INT),
            Metric("h_failing_estates", "不合格小区", _headline("failing_estates"), INT),
            Metric("h_certificate_backlog", "办证积压", _headline("certificate_backlog"), INT),
            Metric("h_complaint_response_rate", "投诉响应及时率", _headline("complaint_response_rate"), PCT),
            Metric("avg_total_score", "平均综合得分", "MAX(avg_total_score)", SCORE),
            Metric("complaint_response_rate", "响应及时率", "MAX(complaint_response_rate)", PCT),
            Metric("complaint_closure_rate", "办结率", "MAX(complaint_closure_rate)", PCT),
            Metric("callback_satisfaction_rate", "回访满意率", "MAX(callback_satisfaction_rate)", PCT),
            Metric("fund_collection_rate", "维修资金归集率", "MAX(fund_collection_rate)", PCT),
            Metric("fee_collection_rate", "物业费收缴率", "MAX(fee_collection_rate)", PCT),
            Metric("certificate_backlog", "办证积压（套）", "SUM(certificate_backlog)", INT),
            Metric("certificate_median_days", "办证时长中位数（天）", "MAX(certificate_median_days)", ",.0f"),
            Metric("certificate_mean_days", "办证时长平均数（天）", "MAX(certificate_mean_days)", ",.0f"),
            Metric("legacy_title_problems", "历史遗留产权问题", "SUM(legacy_title_problems)", INT),
            Metric("estates_without_school_1km", "1公里内无小学", "SUM(estates_without_school_1km)", INT),
            Metric("owners_committee_rate", "业委会成立率", "MAX(owners_committee_rate)", PCT),
        ],
    ),
    Dataset(
        "complaint_mix_latest", "最新考核月各区县12345工单按诉求类型（marts.city_overview 的分类计数，逆透视）",
        sql="SELECT district_code, district_name, complaint_type, complaints FROM (UNPIVOT (\n"
        f"    SELECT district_code, district_name, {', '.join(COMPLAINT_COLUMNS)} FROM marts.city_overview\n"
        f"    WHERE month = {LATEST_OVERVIEW} AND district_code IS NOT NULL)\n"
        f"  ON {', '.join(f'{c} AS {LABELS[c]!r}' for c in COMPLAINT_COLUMNS)}\n"
        "  INTO NAME complaint_type VALUE complaints)",
        metrics=[Metric("complaints_total", "工单数", "SUM(complaints)", INT)],
    ),
    Dataset(
        "scorecard", "小区考核评分（marts.community_scorecard），每个小区每月一行，另加月份文本",
        sql="SELECT *, strftime(month, '%Y-%m') AS month_label FROM marts.community_scorecard",
        main_dttm_col="month",
        metrics=[
            Metric("estates", "小区数", "COUNT(DISTINCT estate_code)", INT),
            Metric("avg_total_score", "平均综合得分", "AVG(total_score)", SCORE),
            Metric("excellent_estates", "优秀小区", "COUNT(*) FILTER (WHERE grade = '优秀')", INT),
            Metric("failing_estates", "不合格小区", "COUNT(*) FILTER (WHERE grade = '不合格')", INT),
            Metric("residents_on_roll", "在册居民", "SUM(residents_on_roll)", INT),
            Metric("aged_60_plus_share", "60岁以上占比",
                   "SUM(aged_60_plus_share * residents_on_roll) / NULLIF(SUM(residents_on_roll), 0)", PCT),
            Metric("n_value", "N指标值（平均）", "AVG(n_value)", ".2f"),
            *[Metric(f"{k}_rate", LABELS[f"{k}_rate"], f"AVG({k}_rate)", PCT) for k in SIX],
        ],
    ),
    Dataset(
        "scorecard_latest", "小区考核评分，仅最新考核月",
        sql=f"SELECT * FROM marts.community_scorecard WHERE month = {LATEST_SCORECARD}",
        metrics=[
            Metric("avg_total_score", "平均综合得分", "AVG(total_score)", SCORE),
            Metric("service_rate", "服务供给达标率（平均）", "AVG(service_rate)", PCT),
            Metric("service_gap_estates", "服务未全达标小区", "COUNT(*) FILTER (WHERE service_rate < 1)", INT),
            Metric("estates", "小区数", "COUNT(DISTINCT estate_code)", INT),
        ],
    ),
    Dataset(
        "data_quality", "每个来源文件一行：读取、入库、拒收、未匹配行数，状态与原因，到达时间（marts.data_quality）",
        sql=f"SELECT *, {STATUS_LABEL} AS status_label FROM marts.data_quality",
        metrics=[
            Metric("files", "文件数", "COUNT(*)", INT),
            Metric("quarantined_files", "隔离文件", "COUNT(*) FILTER (WHERE status = 'quarantined')", INT),
            Metric("rows_read", "读取行数", "SUM(rows_read)", INT),
            Metric("rows_loaded", "入库行数", "SUM(rows_loaded)", INT),
            Metric("rows_rejected", "拒收行数", "SUM(rows_rejected)", INT),
            Metric("unmatched_rows", "未匹配小区行数", "SUM(unmatched_rows)", INT),
            Metric("latest_as_of", "最新截至日期", "MAX(as_of)"),
            Metric("latest_arrival", "最近到达", "MAX(arrived_at)"),
            Metric("days_since_arrival", "距最近到达天数", "MIN(days_since_arrival)", INT),
        ],
    ),
    Dataset(
        "data_quality_rejects", "拒收行按文件与规则（marts.data_quality_rejects）",
        metrics=[Metric("rows", "拒收行数", "SUM(rows)", INT)],
    ),
    *[
        Dataset(f"extract_{e.key}", f"区县明细下载：{e.title}（已脱敏，与 pipelines/extracts.py 的文件一致）", sql=extracts.dataset_sql(e),
                labels={c.alias: c.header for c in e.columns})
        for e in extracts.EXTRACTS
    ],
]
DS = {d.name: d for d in DATASETS}


# ----------------------------------------------------------------------------------------------
@dataclass
class Chart:
    title: str
    dataset: str
    params: dict[str, Any]
    description: str = ""

    @property
    def uuid(self) -> str:
        return uid("chart", self.title)


def _filters(*specs: tuple) -> list[dict]:
    out = []
    for spec in specs:
        if len(spec) == 1:
            out.append({"expressionType": "SQL", "sqlExpression": spec[0], "clause": "WHERE"})
        else:
            col, op, val = spec
            out.append({"expressionType": "SIMPLE", "subject": col, "operator": op, "comparator": val, "clause": "WHERE"})
    return out


def big_number(title: str, dataset: str, metric: str, fmt: str = INT, sub: str = "", filters=()) -> Chart:
    return Chart(title, dataset, {
        "viz_type": "big_number_total", "metric": metric, "adhoc_filters": _filters(*filters),
        "subheader": sub, "header_font_size": 0.4, "subheader_font_size": 0.15, "y_axis_format": fmt,
        "time_format": "smart_date",
    })


def bar(title: str, dataset: str, x: str, metrics: list[str], fmt: str, filters=(), y_title: str = "",
        x_title: str | None = None, horizontal: bool = False, sort_metric: str | None = None) -> Chart:
    return Chart(title, dataset, {
        "viz_type": "echarts_timeseries_bar", "x_axis": x, "metrics": metrics, "groupby": [],
        "adhoc_filters": _filters(*filters), "row_limit": 1000, "orientation": "horizontal" if horizontal else "vertical",
        "x_axis_sort": sort_metric or x, "x_axis_sort_asc": sort_metric is None, "x_axis_sort_series": "name",
        "x_axis_title": LABELS.get(x, x) if x_title is None else x_title, "x_axis_title_margin": 30,
        "y_axis_title": y_title, "y_axis_title_margin": 40, "y_axis_title_position": "Left",
        "y_axis_format": fmt, "show_legend": len(metrics) > 1, "legendType": "scroll", "legendOrientation": "top",
        "show_value": True, "rich_tooltip": True, "truncate_metric": True, "color_scheme": "supersetColors",
        "x_axis_label_rotation": 0, "zoomable": False,
    })


def line(title: str, dataset: str, metrics: list[str], fmt: str, groupby=(), y_title: str = "") -> Chart:
    return Chart(title, dataset, {
        "viz_type": "echarts_timeseries_line", "x_axis": "month", "time_grain_sqla": "P1M", "metrics": metrics,
        "groupby": list(groupby), "adhoc_filters": [], "row_limit": 10000, "truncate_metric": True,
        "x_axis_title": "月份", "x_axis_title_margin": 30, "y_axis_title": y_title, "y_axis_title_margin": 40,
        "y_axis_title_position": "Left", "x_axis_time_format": "%Y-%m", "y_axis_format": fmt, "show_legend": True,
        "legendType": "scroll", "legendOrientation": "top", "rich_tooltip": True, "markerEnabled": True,
        "markerSize": 4, "zoomable": False, "color_scheme": "supersetColors", "seriesType": "line",
    })


def pie(title: str, dataset: str, groupby: str, metric: str) -> Chart:
    return Chart(title, dataset, {
        "viz_type": "pie", "groupby": [groupby], "metric": metric, "adhoc_filters": [], "row_limit": 100,
        "sort_by_metric": True, "show_labels": True, "label_type": "percent", "labels_outside": False,
        "label_line": False, "show_legend": True, "legendType": "plain", "legendOrientation": "bottom",
        "donut": True, "innerRadius": 35, "outerRadius": 65,
        "number_format": INT, "color_scheme": "supersetColors",
    })


def table(title: str, dataset: str, groupby: list[str], metrics: list[str], filters=(), order_desc=True, row_limit=1000) -> Chart:
    return Chart(title, dataset, {
        "viz_type": "table", "query_mode": "aggregate", "groupby": groupby, "metrics": metrics,
        "all_columns": [], "percent_metrics": [], "adhoc_filters": _filters(*filters), "order_desc": order_desc,
        "timeseries_limit_metric": metrics[0] if metrics else None,
        "row_limit": row_limit, "server_pagination": False, "page_length": 0, "include_search": False,
        "show_cell_bars": False, "table_timestamp_format": "%Y-%m-%d", "allow_render_html": False,
    })


def raw_table(title: str, dataset: str, columns: list[str], order_by: list[tuple[str, bool]], filters=(),
              row_limit=10000, search=True, page_length=0, column_config=None) -> Chart:
    return Chart(title, dataset, {
        "viz_type": "table", "query_mode": "raw", "all_columns": columns,
        "order_by_cols": [json.dumps([col, asc]) for col, asc in order_by], "adhoc_filters": _filters(*filters),
        "row_limit": row_limit, "server_pagination": False, "page_length": page_length, "include_search": search,
        "show_cell_bars": False, "table_timestamp_format": "%Y-%m-%d", "allow_render_html": False,
        "column_config": column_config or {},
    })


def _fmt_config(dataset: str, columns: list[str]) -> dict:
    """Per-column number formats for raw tables: rates as %, scores with one decimal."""
    out = {}
    for c in columns:
        if c.endswith("_rate") or c == "aged_60_plus_share":
            out[c] = {"d3NumberFormat": PCT}
        elif c.endswith("_score"):
            out[c] = {"d3NumberFormat": SCORE}
        elif c == "fund_expenditure_w12":
            out[c] = {"d3NumberFormat": ",.2f"}
    return out


# ---- 城市总览 ---------------------------------------------------------------------------------
NOT_CITY = ("is_city", "==", False)
C = {}


def add(chart: Chart) -> Chart:
    assert chart.title not in C, chart.title
    C[chart.title] = chart
    return chart


OV = "overview_latest"
city_rows = [
    (18, [
        (add(big_number("小区数", OV, "h_estates", sub="个安置小区")), 1),
        (add(big_number("房屋套数", OV, "h_dwellings", sub="套")), 1),
        (add(big_number("在册居民总数", OV, "residents_on_roll_total", sub="人")), 2),
        (add(big_number("60岁以上占比", OV, "h_aged_60_plus_share", PCT, sub="在册居民")), 1),
        (add(big_number("平均综合得分", OV, "h_avg_total_score", SCORE, sub="满分100")), 1),
        (add(big_number("优秀小区", OV, "h_excellent_estates", sub="综合得分≥80")), 1),
        (add(big_number("不合格小区", OV, "h_failing_estates", sub="综合得分<60")), 1),
        (add(big_number("办证积压", OV, "h_certificate_backlog", sub="交付超90天未办证（套）")), 1),
        (add(big_number("投诉响应及时率", OV, "h_complaint_response_rate", PCT, sub="24小时内首次响应")), 1),
        (add(Chart("数据截至", "publication", {
            "viz_type": "big_number_total", "metric": "as_of", "adhoc_filters": [], "subheader": "每次流水线成功运行后更新",
            "header_font_size": 0.3, "subheader_font_size": 0.15, "force_timestamp_formatting": True,
            "time_format": "%Y-%m-%d"}, "当前发布的数据快照所反映的日期")), 2),
    ]),
    (44, [
        (add(bar("各区县平均综合得分", OV, "district_name", ["avg_total_score"], SCORE, [NOT_CITY], y_title="综合得分")), 3),
        (add(line("六项指标月度趋势（小区平均）", "scorecard", [f"{k}_rate" for k in SIX], ".0%", y_title="指标值")), 5),
        (add(raw_table("红榜（最新月）", "scorecard_latest", ["district_name", "estate_name", "total_score", "district_rank"],
                       [("district_code", True), ("district_rank", True)], [("list_flag", "==", "红榜")], search=False)), 2),
        (add(raw_table("黑榜（最新月）", "scorecard_latest", ["district_name", "estate_name", "total_score", "district_rank"],
                       [("district_code", True), ("total_score", True)], [("list_flag", "==", "黑榜")], search=False)), 2),
    ]),
    (44, [
        (add(pie("投诉诉求类型构成（最新月）", "complaint_mix_latest", "complaint_type", "complaints_total")), 2),
        (add(bar("各区县投诉响应与办结", OV, "district_name",
                 ["complaint_response_rate", "complaint_closure_rate", "callback_satisfaction_rate"], ".0%", [NOT_CITY])), 3),
        (add(bar("各区县维修资金与物业费收缴率", OV, "district_name", ["fund_collection_rate", "fee_collection_rate"], ".0%", [NOT_CITY])), 2),
        (add(table("各区县办证积压与办证时长", OV, ["district_name"],
                   ["certificate_backlog", "certificate_median_days", "certificate_mean_days", "legacy_title_problems"], [NOT_CITY])), 3),
        (add(table("各区县服务缺口", "scorecard_latest", ["district_name"], ["service_gap_estates", "service_rate", "estates"])), 2),
    ]),
]

# ---- 区县与小区 -------------------------------------------------------------------------------
SC = "scorecard"
scorecard_columns = ["month_label", "district_name", "street_name", "estate_name", "estate_type", "total_score", "grade",
                     "district_rank", "list_flag", *[f"{k}_rate" for k in SIX], *[f"{k}_score" for k in SIX],
                     "n_indicator", "n_value", "residents_on_roll", "aged_60_plus_share", "fund_expenditure_w12"]
HISTORY = ["综合得分历史", "六项指标历史", "N指标历史"]
district_rows = [
    (16, [
        (add(big_number("所选小区数", SC, "estates", sub="个")), 2),
        (add(big_number("所选平均综合得分", SC, "avg_total_score", SCORE, sub="满分100")), 2),
        (add(big_number("所选优秀小区", SC, "excellent_estates", sub="个")), 2),
        (add(big_number("所选不合格小区", SC, "failing_estates", sub="个")), 2),
        (add(big_number("所选在册居民", SC, "residents_on_roll", sub="人")), 2),
        (add(big_number("所选60岁以上占比", SC, "aged_60_plus_share", PCT, sub="在册居民")), 2),
    ]),
    (55, [
        (add(raw_table("小区考核评分表", SC, scorecard_columns, [("district_code", True), ("district_rank", True), ("estate_code", True)],
                       page_length=20, column_config=_fmt_config(SC, scorecard_columns))), 12),
    ]),
    (42, [
        (add(line("综合得分历史", SC, ["avg_total_score"], SCORE, y_title="综合得分")), 4),
        (add(line("六项指标历史", SC, [f"{k}_rate" for k in SIX], ".0%", y_title="指标值")), 4),
        (add(line("N指标历史", SC, ["n_value"], ".2f", groupby=["n_indicator"], y_title="N指标值")), 4),
    ]),
]

# ---- 明细下载 ---------------------------------------------------------------------------------
extract_rows = [
    (50, [(add(raw_table(f"{e.title}（明细下载）", f"extract_{e.key}", [c.alias for c in e.columns], [], row_limit=50000, page_length=10)), 12)])
    for e in extracts.EXTRACTS
]

# ---- 数据质量 ---------------------------------------------------------------------------------
DQ = "data_quality"
dq_columns = ["department_name", "source", "file_name", "kind_label", "status_label", "reason", "rows_read", "rows_loaded",
              "rows_rejected", "rows_skipped", "unmatched_rows", "as_of", "arrived_at", "days_since_arrival"]
quality_rows = [
    (16, [
        (add(big_number("来源文件数", DQ, "files", sub="个")), 2),
        (add(big_number("隔离文件数", DQ, "quarantined_files", sub="个（整体未入库）")), 2),
        (add(big_number("读取行数", DQ, "rows_read", sub="行")), 2),
        (add(big_number("入库行数", DQ, "rows_loaded", sub="行")), 2),
        (add(big_number("拒收行数", DQ, "rows_rejected", sub="行")), 2),
        (add(big_number("未匹配小区行数", DQ, "unmatched_rows", sub="行（计入来源，不丢弃）")), 2),
    ]),
    (40, [
        (add(bar("各部门读取、入库与拒收行数", DQ, "department_name", ["rows_read", "rows_loaded", "rows_rejected"], INT, y_title="行数")), 6),
        (add(bar("拒收原因", "data_quality_rejects", "rule", ["rows"], INT, x_title="", horizontal=True, sort_metric="rows")), 6),
    ]),
    (40, [
        (add(raw_table("隔离文件及原因", DQ, ["department_name", "file_name", "kind_label", "reason", "arrived_at"],
                       [("arrived_at", False)], [("status", "==", "quarantined")], search=False)), 6),
        (add(table("各来源数据新鲜度", DQ, ["department_name", "source"], ["latest_as_of", "latest_arrival", "days_since_arrival", "files"],
                   order_desc=False)), 6),
    ]),
    (60, [
        (add(raw_table("各文件接收明细", DQ, dq_columns, [("department_name", True), ("file_name", True)], page_length=20)), 12),
    ]),
]


# ---- dashboards -------------------------------------------------------------------------------
@dataclass
class Filter:
    key: str
    name: str
    dataset: str
    column: str
    parent: str | None = None
    single: bool = False
    default_first: bool = False
    required: bool = False
    excluded: list[str] = field(default_factory=list)  # chart titles out of scope


@dataclass
class Dashboard:
    slug: str
    title: str
    rows: list
    filters: list[Filter] = field(default_factory=list)
    css: str = ""


PLACE_FILTERS = [
    Filter("district", "区县", SC, "district_name"),
    Filter("street", "街道", SC, "street_name", parent="district"),
    Filter("estate", "小区", SC, "estate_name", parent="street"),
]
DASHBOARDS = [
    Dashboard("city-overview", "安居·城市总览", city_rows,
              css=".dashboard-header .editable-title input { font-weight: 700; }"),
    Dashboard("district-estate", "安居·区县与小区", district_rows, [
        *PLACE_FILTERS,
        Filter("month", "月份", SC, "month_label", single=True, default_first=True, required=True, excluded=HISTORY),
    ]),
    Dashboard("district-extracts", "安居·区县明细下载", extract_rows, [
        Filter("district", "区县", "extract_dwellings", "district_name"),
        Filter("street", "街道", "extract_dwellings", "street_name", parent="district"),
        Filter("estate", "小区", "extract_dwellings", "estate_name", parent="street"),
    ]),
    Dashboard("data-quality", "安居·数据质量", quality_rows),
]


# ---- writers ----------------------------------------------------------------------------------
def _columns(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[dict]:
    described = con.execute(f"DESCRIBE {ds.describe_sql()}").fetchall()
    labels = {**LABELS, **ds.labels}
    missing = [name for name, *_ in described if name not in labels]
    if missing:
        raise SystemExit(f"dataset {ds.name}: no Chinese label for columns {missing} (add them to LABELS)")
    out = []
    for name, typ, *_ in described:
        is_dttm = typ.startswith(("DATE", "TIMESTAMP"))
        out.append({
            "column_name": name, "verbose_name": labels[name], "type": typ, "groupby": True, "filterable": True,
            "is_dttm": is_dttm, "is_active": True, "expression": None, "description": None, "python_date_format": None,
        })
    return out


def dataset_yaml(con, ds: Dataset) -> dict:
    return {
        "table_name": ds.name, "schema": "marts", "description": ds.description, "main_dttm_col": ds.main_dttm_col,
        "sql": ds.sql, "params": None, "template_params": None, "filter_select_enabled": True,
        "fetch_values_predicate": None, "extra": None, "cache_timeout": None, "normalize_columns": False,
        "always_filter_main_dttm": False, "uuid": ds.uuid, "database_uuid": DATABASE_UUID, "version": "1.0.0",
        "metrics": [
            {"metric_name": m.name, "verbose_name": m.label, "metric_type": None, "expression": m.expression,
             "d3format": m.fmt, "description": None, "warning_text": None}
            for m in ds.metrics
        ],
        "columns": _columns(con, ds),
    }


def chart_yaml(chart: Chart) -> dict:
    ds = DS[chart.dataset]
    metric_names = {m.name for m in ds.metrics}
    for m in [chart.params.get("metric"), *chart.params.get("metrics", [])]:
        if m is not None and m not in metric_names:
            raise SystemExit(f"chart {chart.title}: no metric {m!r} in dataset {ds.name}")
    return {
        "slice_name": chart.title, "description": chart.description or None, "viz_type": chart.params["viz_type"],
        "params": chart.params,
        "query_context": None, "cache_timeout": None, "uuid": chart.uuid, "dataset_uuid": ds.uuid, "version": "1.0.0",
    }


def dashboard_yaml(dash: Dashboard, chart_ids: dict[str, int]) -> dict:
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"id": "ROOT_ID", "type": "ROOT", "children": ["GRID_ID"]},
        "GRID_ID": {"id": "GRID_ID", "type": "GRID", "parents": ["ROOT_ID"], "children": []},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": dash.title}},
    }
    for r, (height, charts) in enumerate(dash.rows):
        row_id = f"ROW-{r + 1}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"id": row_id, "type": "ROW", "parents": ["ROOT_ID", "GRID_ID"], "children": [],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        assert sum(w for _, w in charts) <= 12, (dash.slug, r)
        for chart, width in charts:
            node = f"CHART-{chart.uuid[:8]}"
            position[row_id]["children"].append(node)
            position[node] = {"id": node, "type": "CHART", "parents": ["ROOT_ID", "GRID_ID", row_id], "children": [],
                              "meta": {"chartId": chart_ids[chart.title], "uuid": chart.uuid, "sliceName": chart.title,
                                       "width": width, "height": height}}
    filters = []
    for f in dash.filters:
        filters.append({
            "id": f"NATIVE_FILTER-{f.key}", "name": f.name, "filterType": "filter_select", "type": "NATIVE_FILTER",
            "description": "", "targets": [{"datasetUuid": DS[f.dataset].uuid, "column": {"name": f.column}}],
            "controlValues": {"enableEmptyFilter": f.required, "defaultToFirstItem": f.default_first,
                              "multiSelect": not f.single, "searchAllOptions": False, "inverseSelection": False,
                              "sortAscending": not f.default_first},
            "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
            "cascadeParentIds": [f"NATIVE_FILTER-{f.parent}"] if f.parent else [],
            "scope": {"rootPath": ["ROOT_ID"], "excluded": [chart_ids[t] for t in f.excluded]},
            "tabsInScope": [], "requiredFirst": f.required,
        })
    return {
        "dashboard_title": dash.title, "description": None, "slug": dash.slug, "css": dash.css, "published": True,
        "certified_by": None, "certification_details": None, "uuid": uid("dashboard", dash.slug), "version": "1.0.0",
        "metadata": {
            "color_scheme": "supersetColors", "refresh_frequency": 0, "cross_filters_enabled": False,
            "native_filter_configuration": filters, "expanded_slices": {}, "label_colors": {},
            "timed_refresh_immune_slices": [], "shared_label_colors": [], "color_scheme_domain": [],
            "chart_configuration": {}, "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                                                                       "chartsInScope": []},
        },
        "position": position,
    }


HEADER = "# Generated by dashboards/build_bundle.py: edit that script, not this file.\n"


def render(warehouse: Path) -> dict[str, str]:
    """Relative path → YAML text of every generated file (the database YAML is hand-written)."""
    def dump(obj: dict) -> str:
        return HEADER + yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=120)

    out: dict[str, str] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for ds in DATASETS:
            out[f"datasets/anju_warehouse/{ds.name}.yaml"] = dump(dataset_yaml(con, ds))
    # Stable, distinct chartIds per chart in the layouts: native-filter scopes refer to them and
    # the importer rewrites both to the real ids.
    chart_ids = {title: i + 1 for i, title in enumerate(C)}
    used = set()
    for dash in DASHBOARDS:
        out[f"dashboards/{dash.slug}.yaml"] = dump(dashboard_yaml(dash, chart_ids))
        used |= {c.title for _, charts in dash.rows for c, _ in charts}
    for title, chart in C.items():
        assert title in used, f"chart {title} is on no dashboard"
        out[f"charts/{chart.uuid[:8]}.yaml"] = dump(chart_yaml(chart))
    return out


def write(warehouse: Path) -> list[str]:
    files = render(warehouse)
    for sub in ("datasets/anju_warehouse", "charts", "dashboards"):
        for old in (BUNDLE / sub).glob("*.yaml"):
            if old.relative_to(BUNDLE).as_posix() not in files:
                old.unlink()
    for name, text in files.items():
        path = BUNDLE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args()
    print(f"wrote {len(write(args.warehouse))} files under {BUNDLE}")
