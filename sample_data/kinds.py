"""The file kinds of EXPORTS.md: their columns, which are required, and what role each column plays.

A column's role tells the mess injector which catalogue items can hit it and the XLSX writer which
cells are numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    role: str  # id, name, phone, date, datetime, month, amount, area, estate, dwelling, building, entrance, room, category, text, int, seq
    required: bool = False


@dataclass(frozen=True)
class Kind:
    code: str
    source: str
    title: str
    mode: str  # "S" snapshot or "L" ledger
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _cols(spec: str) -> tuple[Column, ...]:
    """'name:role*' per line; a trailing * marks a required column."""
    out = []
    for item in spec.split():
        name, role = item.split(":")
        out.append(Column(name, role.rstrip("*"), role.endswith("*")))
    return tuple(out)


ROSTER = Kind("roster", "household", "安置人员花名册", "S", _cols("""
    序号:seq 户编号:text* 姓名:name* 身份证号码:id* 与户主关系:category 性别:category 出生日期:date 联系电话:phone
    安置类型:category 原住址:text 安置小区:estate* 安置房号:dwelling* 签约日期:date 交房日期:date 人员状态:category 特殊群体:category
"""))
UNITS = Kind("units", "unit", "安置房源台账", "S", _cols("""
    房源编号:text* 区县:text 街道:text 小区名称:estate* 楼栋:building* 单元:entrance* 房号:room* 建筑面积（㎡）:area* 户型:category
    分配状态:category* 产权人姓名:name 产权人身份证号码:id 交付日期:date 登记申请日期:date 办证日期:date 上市交易限制年限:int 产权问题:category
"""))
REGISTER = Kind("register", "unit", "安置小区名录", "S", _cols("""
    小区编码:code* 小区名称:estate* 曾用名:text 区县代码:code* 区县:text 街道代码:code* 街道:text 详细地址:text 建成年份:int*
    交付日期:date 总套数:int 楼栋数:int 电梯数:int 物业服务企业:text 业委会成立日期:date 经度:float 纬度:float
"""))
DEPOSITS = Kind("deposits", "fund", "专项维修资金缴存明细", "L", _cols("""
    业务流水号:text* 房源编号:text 小区名称:estate* 房屋坐落:dwelling* 建筑面积:area 应缴金额(元):amount* 实缴金额(元):amount
    缴存日期:date 缴存类型:category* 备注:text
"""))
FEES = Kind("fees", "fund", "物业费收缴明细", "L", _cols("""
    物业服务企业:text 小区名称:estate* 房号:dwelling* 计费月份:month* 应收金额(元):amount* 减免金额(元):amount 实收金额(元):amount 收款日期:date
"""))
FUND_USAGE = Kind("fund_usage", "fund", "维修资金使用公示", "L", _cols("""
    小区名称:estate* 项目名称:text* 使用金额(元):amount* 涉及户数:int 表决通过日期:date* 拨付日期:date
"""))
COMPLAINTS = Kind("complaints", "complaint", "12345工单明细", "L", _cols("""
    工单编号:text* 来电时间:datetime* 诉求人:name 联系电话:phone 所属区县:text 所属街道:text 事发地址:address 诉求类型:category*
    诉求子类:category 诉求内容:text 是否矛盾纠纷:category 派单时间:datetime 首次响应时间:datetime 办结时间:datetime
    工单状态:category* 调解结果:category 回访结果:category 更新时间:datetime*
"""))
FACILITIES = Kind("facilities", "facility", "设施设备台账", "S", _cols("""
    设施编号:text* 设施类型:category* 小区名称:estate* 楼栋:building 投用日期:date 运行状态:category* 最近维保日期:date 维保单位:text
"""))
REPAIRS = Kind("repairs", "facility", "报修工单", "L", _cols("""
    报修单号:text* 设施编号:text 小区名称:estate* 报修时间:datetime* 响应时间:datetime 完成时间:datetime 故障描述:text
    维修费用(元):amount 资金来源:category
"""))
SERVICES = Kind("services", "facility", "周边公共服务配套", "S", _cols("""
    小区名称:estate* 配套类型:category* 配套名称:text 步行距离(米):int*
"""))
SURVEYS = Kind("surveys", "engagement", "居民满意度测评", "L", _cols("""
    测评月份:month* 问卷编号:text* 小区名称:estate* 楼栋:building 受访人:name 受访人身份证号码:id 总体满意度:category* 物业服务评分:int 意见建议:text
"""))
PARTICIPATION = Kind("participation", "engagement", "居民参与记录", "L", _cols("""
    活动日期:date* 小区名称:estate* 活动类型:category* 活动名称:text 参与人:name* 参与人身份证号码:id 联系电话:phone 积分:int
"""))

KINDS = {k.code: k for k in (ROSTER, UNITS, REGISTER, DEPOSITS, FEES, FUND_USAGE, COMPLAINTS, FACILITIES, REPAIRS,
                             SERVICES, SURVEYS, PARTICIPATION)}

# Optional columns whose non-blank invalid value rejects the row instead of being nulled (EXPORTS.md:
# 参与人身份证号码 is part of the participation key).
REJECT_INVALID = {("participation", "参与人身份证号码")}

# Synonyms and abbreviations departments use for categorical values (mess item 11).
CATEGORY_SYNONYMS = {
    "城镇棚改": ["棚改", "棚户区改造"], "农村拆迁": ["农拆", "农村征收"], "旧城改造": ["旧改"],
    "在册": ["正常"], "迁出": ["已迁出"], "死亡": ["已故"],
    "户主": ["本人"], "子女": ["子", "女"], "配偶": ["妻", "夫"],
    "男": ["M"], "女": ["F"],  # not 1/2: some systems code sex 1/0 or 0/1, so a digit is ambiguous
    "已分配": ["已配"],  # not 未分配: it could mean 待分配 or 空置
    "首期归集": ["首期", "首缴"], "续筹": ["续缴"],
    "是": ["Y", "1"], "否": ["N", "0"],
    "已办结": ["已办结 ", "办结"], "办理中": ["处理中"], "已受理": ["受理"],
    "调解成功": ["成功"], "调解失败": ["失败"],
    "满意": ["满意 "], "基本满意": ["较满意"], "不满意": ["不满"],
    "非常满意": ["很满意"], "一般": ["一般 "],
    "正常": ["运行正常"], "故障": ["有故障"], "维修中": ["在修"],
    "居民议事会": ["议事会"], "志愿服务": ["志愿者服务"],
}
