"""The file kinds of EXPORTS.md: their columns, value types, required fields and semantics.

This is the structure of the contract (what a header looks like, how a value is read). The row
rules (required, categories, ranges, cross-field) live in the Great Expectations suites in
`expectations/`, one per kind; `required` here only decides which missing column quarantines a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    header: str  # the header of EXPORTS.md, after header normalisation
    name: str  # the column's name in the warehouse
    type: str = "text"  # which normaliser reads it; see ingest/values.py
    required: bool = False
    # An optional column whose invalid value rejects the row instead of being nulled
    # (EXPORTS.md: a non-blank invalid 参与人身份证号码 rejects its row).
    reject_invalid: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # the department's own name for the file, shown to engineers
    source: str  # landing folder
    mode: str  # "snapshot" or "ledger"
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # ledger event key, by column name
    extra_key_when_blank: tuple[str, ...] = field(default=())

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def C(header: str, name: str, type: str = "text", required: bool = False, **kw) -> Column:
    return Column(header, name, type, required, **kw)


ESTATE = C("小区名称", "estate_name", "estate", required=True)

KINDS: tuple[Kind, ...] = (
    Kind("household_roster", "安置人员花名册", "household", "snapshot", (
        C("序号", "seq", "integer"),
        C("户编号", "household_no", "identifier", required=True),
        C("姓名", "name", required=True),
        C("身份证号码", "resident_id", "resident_id", required=True, aliases=("身份证号", "公民身份号码")),
        C("与户主关系", "relation", "category:RELATION_TO_HEAD"),
        C("性别", "sex", "category:SEX"),
        C("出生日期", "birth_date", "date"),
        C("联系电话", "phone", "phone"),
        C("安置类型", "resettlement_type", "category:RESETTLEMENT_TYPE"),
        C("原住址", "former_address"),
        C("安置小区", "estate_name", "estate", required=True),
        C("安置房号", "dwelling", "dwelling", required=True),
        C("签约日期", "signed_date", "date"),
        C("交房日期", "handover_date", "date"),
        C("人员状态", "person_status", "category:PERSON_STATUS"),
        C("特殊群体", "special_groups", "special_groups"),
    )),
    Kind("dwelling_register", "安置房源台账", "unit", "snapshot", (
        C("房源编号", "unit_no", "identifier", required=True),
        C("区县", "district_name"),
        C("街道", "street_name"),
        ESTATE,
        C("楼栋", "building", "building", required=True),
        C("单元", "entrance", "entrance", required=True),
        C("房号", "room", "room", required=True),
        C("建筑面积", "floor_area", "area", required=True),
        C("户型", "layout"),
        C("分配状态", "allocation_status", "category:ALLOCATION_STATUS", required=True),
        C("产权人姓名", "owner_name"),
        C("产权人身份证号码", "owner_id", "resident_id"),
        C("交付日期", "delivery_date", "date"),
        C("登记申请日期", "registration_date", "date"),
        C("办证日期", "certificate_date", "date"),
        C("上市交易限制年限", "resale_restriction_years", "integer"),
        C("产权问题", "title_problem"),
    )),
    Kind("community_register", "安置小区名录", "unit", "snapshot", (
        C("小区编码", "estate_code", "code12", required=True),
        ESTATE,
        C("曾用名", "aliases", "aliases"),
        C("区县代码", "district_code", "code6", required=True),
        C("区县", "district_name"),
        C("街道代码", "street_code", "code9", required=True),
        C("街道", "street_name"),
        C("详细地址", "address"),
        C("建成年份", "built_year", "integer", required=True),
        C("交付日期", "first_delivery_date", "date"),
        C("总套数", "total_dwellings", "integer"),
        C("楼栋数", "buildings", "integer"),
        C("电梯数", "elevators", "integer"),
        C("物业服务企业", "property_company"),
        C("业委会成立日期", "owners_committee_date", "date"),
        C("经度", "longitude", "decimal"),
        C("纬度", "latitude", "decimal"),
    )),
    Kind("fund_deposit", "专项维修资金缴存明细", "fund", "ledger", (
        C("业务流水号", "serial_no", "identifier", required=True),
        C("房源编号", "unit_no", "identifier"),
        ESTATE,
        C("房屋坐落", "location", "location", required=True),
        C("建筑面积", "floor_area", "area"),
        C("应缴金额", "amount_due", "amount", required=True),
        C("实缴金额", "amount_paid", "amount"),
        C("缴存日期", "paid_date", "date"),
        C("缴存类型", "deposit_type", "category:DEPOSIT_TYPE", required=True),
        C("备注", "remark"),
    ), key=("serial_no",)),
    Kind("property_fee", "物业费收缴明细", "fund", "ledger", (
        C("物业服务企业", "property_company"),
        ESTATE,
        C("房号", "dwelling", "dwelling", required=True),
        C("计费月份", "billing_month", "month", required=True),
        C("应收金额", "amount_due", "amount", required=True),
        C("减免金额", "amount_waived", "amount"),
        C("实收金额", "amount_received", "amount"),
        C("收款日期", "received_date", "date"),
    ), key=("estate_name", "dwelling", "billing_month")),
    Kind("fund_expenditure", "维修资金使用公示", "fund", "ledger", (
        ESTATE,
        C("项目名称", "project_name", required=True),
        C("使用金额", "amount", "amount", required=True),
        C("涉及户数", "households_involved", "integer"),
        C("表决通过日期", "approved_date", "date", required=True),
        C("拨付日期", "disbursed_date", "date"),
    ), key=("estate_name", "project_name", "approved_date")),
    Kind("work_order", "12345工单明细", "complaint", "ledger", (
        C("工单编号", "order_no", "identifier", required=True),
        C("来电时间", "called_at", "timestamp", required=True),
        C("诉求人", "caller"),
        C("联系电话", "phone", "phone"),
        C("所属区县", "district_name"),
        C("所属街道", "street_name"),
        C("事发地址", "address"),
        C("诉求类型", "complaint_type", "category:COMPLAINT_TYPE", required=True),
        C("诉求子类", "complaint_subtype"),
        C("诉求内容", "content"),
        C("是否矛盾纠纷", "is_dispute", "category:YES_NO"),
        C("派单时间", "dispatched_at", "timestamp"),
        C("首次响应时间", "first_response_at", "timestamp"),
        C("办结时间", "closed_at", "timestamp"),
        C("工单状态", "status", "category:WORK_ORDER_STATUS", required=True),
        C("调解结果", "mediation_result", "category:MEDIATION_RESULT"),
        C("回访结果", "callback_result", "category:CALLBACK_RESULT"),
        C("更新时间", "updated_at", "timestamp", required=True),
    ), key=("order_no",)),
    Kind("facility_register", "设施设备台账", "facility", "snapshot", (
        C("设施编号", "facility_no", "identifier", required=True),
        C("设施类型", "facility_type", "category:FACILITY_TYPE", required=True),
        ESTATE,
        C("楼栋", "building", "building"),
        C("投用日期", "commissioned_date", "date"),
        C("运行状态", "operating_status", "category:FACILITY_STATUS", required=True),
        C("最近维保日期", "last_maintained_date", "date"),
        C("维保单位", "maintainer"),
    )),
    Kind("repair_order", "报修工单", "facility", "ledger", (
        C("报修单号", "repair_no", "identifier", required=True),
        C("设施编号", "facility_no", "identifier"),
        ESTATE,
        C("报修时间", "reported_at", "timestamp", required=True),
        C("响应时间", "responded_at", "timestamp"),
        C("完成时间", "completed_at", "timestamp"),
        C("故障描述", "description"),
        C("维修费用", "cost", "amount"),
        C("资金来源", "funding_source", "category:FUND_SOURCE"),
    ), key=("repair_no",)),
    Kind("nearby_service", "周边公共服务配套", "facility", "snapshot", (
        ESTATE,
        C("配套类型", "service_type", "category:SERVICE_TYPE", required=True),
        C("配套名称", "service_name"),
        C("步行距离", "walking_distance_m", "distance", required=True),
    )),
    Kind("satisfaction_survey", "居民满意度测评", "engagement", "ledger", (
        C("测评月份", "survey_month", "month", required=True),
        C("问卷编号", "questionnaire_no", "identifier", required=True),
        ESTATE,
        C("楼栋", "building", "building"),
        C("受访人", "respondent"),
        C("受访人身份证号码", "respondent_id", "resident_id"),
        C("总体满意度", "overall_satisfaction", "category:SATISFACTION", required=True),
        C("物业服务评分", "property_service_score", "integer"),
        C("意见建议", "suggestions"),
    ), key=("survey_month", "questionnaire_no")),
    Kind("participation", "居民参与记录", "engagement", "ledger", (
        C("活动日期", "activity_date", "date", required=True),
        ESTATE,
        C("活动类型", "activity_type", "category:ACTIVITY_TYPE", required=True),
        C("活动名称", "activity_name"),
        C("参与人", "participant_name", required=True),
        C("参与人身份证号码", "participant_id", "resident_id", reject_invalid=True),
        C("联系电话", "phone", "phone"),
        C("积分", "points", "integer"),
    ), key=("activity_date", "activity_name", "participant_id"),
        extra_key_when_blank=("participant_name", "phone")),
)

KINDS_BY_NAME = {k.name: k for k in KINDS}
