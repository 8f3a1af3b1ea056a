"""Value normalisers against EXPORTS.md's mess catalogue: exact outputs, rejects with their reasons."""

from __future__ import annotations

from datetime import date as Date

import numpy as np
import pandas as pd
import pytest

from pipelines.ingest import normalize as n

AS_OF = Date(2025, 1, 1)


def series(*values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def one(normalizer, raw, **options):
    """(value, problem, warning) of a single raw value, with missing values as None."""
    result = normalizer(series(raw), **options)
    value = result.value.iloc[0]
    if isinstance(value, pd.Timestamp):
        value = str(value)
    return (None if pd.isna(value) else value), result.problem.iloc[0], result.warning.iloc[0]


def with_check_character(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights)) % 11]


# --- Blank -----------------------------------------------------------------------------------

BLANKS = [None, np.nan, "", "   ", "\u00a0", "\u3000", "\t\r\n"]


@pytest.mark.parametrize(
    "normalizer",
    [n.clean_text, n.resident_id, n.date, n.timestamp, n.month, n.amount, n.area, n.phone, n.integer,
     n.decimal, n.special_groups, n.building, n.entrance, n.room],
)
def test_blank_is_missing_without_problem(normalizer):
    result = normalizer(series(*BLANKS))
    assert result.value.isna().all()
    assert result.problem.tolist() == [None] * len(BLANKS)
    assert result.warning.tolist() == [None] * len(BLANKS)


def test_result_keeps_index_and_uses_none_for_no_problem():
    raw = pd.Series(["2023-05-06", "x"], index=[10, 20], dtype=object)
    result = n.date(raw)
    assert list(result.value.index) == [10, 20]
    assert result.problem.tolist() == [None, "unparseable date"]
    assert result.problem.dtype == object


# --- Catalogue 2: full-width, spaces, NBSP, apostrophe, NUL, BOM ------------------------------------


@pytest.mark.parametrize(
    "raw, expected, warning",
    [
        ("３栋", "3栋", None),
        ("ＡＢＣ１３８", "ABC138", None),
        ("幸福家园（一期）", "幸福家园(一期)", None),
        ("  幸福\u00a0\u00a0家园\u3000 ", "幸福 家园", None),
        ("a\tb\r\nc", "a b c", None),
        ("'420102198001011234", "420102198001011234", "leading apostrophe stripped"),
        ("'11010519491231002X", "11010519491231002X", "leading apostrophe stripped"),
        ("'0501", "0501", "leading apostrophe stripped"),
        ("'张三", "'张三", None),  # not a number: kept as written
        ("it's", "it's", None),
        ("张\x00三", "张三", "NUL byte removed"),
        ("张三\ufeff", "张三", "byte-order mark removed"),
        ("幸福\u200b家园", "幸福家园", None),
        ("'4201\x00", "4201", "NUL byte removed; leading apostrophe stripped"),
        ("=SUM(A1)", "=SUM(A1)", None),  # formula-looking text loads as written
    ],
)
def test_clean_text(raw, expected, warning):
    assert one(n.clean_text, raw) == (expected, None, warning)


def test_xlsx_numbers_arrive_as_text():
    result = n.phone(pd.Series([13812345678.0, 13812345678], dtype=object))
    assert result.value.tolist() == ["13812345678", "13812345678"]


# --- Catalogue 2 and 8: resident IDs --------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected, problem, warning",
    [
        ("11010519491231002X", "11010519491231002X", None, None),
        ("11010519491231002x", "11010519491231002X", None, None),
        ("110105 19491231 002X", "11010519491231002X", None, None),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", None, None),
        ("'11010519491231002X", "11010519491231002X", None, "leading apostrophe stripped"),
        ("130503670401001", "130503196704010016", None, "15-digit ID converted to 18"),
        ("110105194912310021", None, "bad check character", None),
        ("4.20102E+17", None, "ID in scientific notation", None),
        ("3.201021980010113e+17", None, "ID in scientific notation", None),
        ("11010519491231002", None, "wrong length", None),
        ("1101051949123100211", None, "wrong length", None),
        ("11010519491X31002X", None, "invalid characters in ID", None),
        ("不详", None, "invalid characters in ID", None),
    ],
)
def test_resident_id(raw, expected, problem, warning):
    assert one(n.resident_id, raw, as_of=AS_OF) == (expected, problem, warning)


def test_resident_id_birth_date_must_exist_and_not_be_in_the_future():
    impossible = with_check_character("11010519490230002")
    future = with_check_character("11010520250102002")
    result = n.resident_id(series(impossible, future), as_of=AS_OF)
    assert result.problem.tolist() == ["invalid birth date in ID", "invalid birth date in ID"]
    assert n.resident_id(series(future), as_of=Date(2025, 1, 2)).problem.tolist() == [None]


@pytest.mark.parametrize(
    "raw, expected, problem",
    [
        ("GD2025060100123", "GD2025060100123", None),
        (" '20250601123 ", "20250601123", None),
        ("２０２５０６０１", "20250601", None),
        ("3E12", "3E12", None),  # no exponent sign: a code, not how a spreadsheet writes a number
        ("4.20102E+17", None, "number in scientific notation: its last digits are lost"),
        ("2.02506010000012e+15", None, "number in scientific notation: its last digits are lost"),
    ],
)
def test_identifier(raw, expected, problem):
    assert one(n.identifier, raw)[:2] == (expected, problem)


def test_resident_id_stored_as_a_float_is_rejected():
    assert n.resident_id(pd.Series([4.20102198001011e17], dtype=object)).problem.tolist() == ["ID in scientific notation"]


def test_birth_date_and_sex_from_id():
    ids = n.resident_id(series("11010519491231002X", "130503670401001", None)).value
    assert n.id_birth_date(ids).tolist()[:2] == [pd.Timestamp("1949-12-31"), pd.Timestamp("1967-04-01")]
    assert n.id_birth_date(ids).isna().tolist() == [False, False, True]
    assert n.id_sex(ids).tolist()[:2] == ["女", "男"]
    assert pd.isna(n.id_sex(ids).iloc[2])


# --- Catalogue 3: dates, date-times, Excel serials, months -----------------------------------------


@pytest.mark.parametrize(
    "raw", ["2023-05-06", "2023/5/6", "2023.5.6", "20230506", "2023年5月6日", "2023-05-06 14:30",
            "2023-05-06 14:30:00", "2023-05-06T14:30:00", "2023/5/6 9:05", "２０２３－０５－０６"],
)
def test_date_formats(raw):
    assert one(n.date, raw) == ("2023-05-06 00:00:00", None, None)


@pytest.mark.parametrize(
    "raw, excel_serial, expected, problem",
    [
        ("45052", True, "2023-05-06 00:00:00", None),
        ("45052.0", True, "2023-05-06 00:00:00", None),
        ("45052.75", True, "2023-05-06 00:00:00", None),
        ("10000", True, "1927-05-18 00:00:00", None),
        ("73415", True, "2100-12-31 00:00:00", None),
        ("45052", False, None, "unparseable date"),
        ("2024", True, None, "unparseable date"),  # a year, not serial 2024 (1905-07-16)
        ("73416", True, None, "Excel serial date out of range"),
        ("2023-02-29", False, None, "impossible date"),
        ("2023年13月1日", False, None, "impossible date"),
        ("2023-05-06 24:00", False, None, "impossible time"),
        ("1850-01-01", False, None, "date out of range"),
        ("5/6/2023", False, None, "unparseable date"),  # day and month order unknown
        ("23-5-6", False, None, "unparseable date"),
        ("去年", False, None, "unparseable date"),
    ],
)
def test_date_serials_and_rejects(raw, excel_serial, expected, problem):
    assert one(n.date, raw, excel_serial=excel_serial) == (expected, problem, None)


def test_date_not_after():
    result = n.date(series("2024-12-31", "2025-01-02"), not_after=AS_OF)
    assert result.problem.tolist() == [None, "date in the future"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2023-05-06 14:30", "2023-05-06 14:30:00"),
        ("2023-05-06 14:30:15", "2023-05-06 14:30:15"),
        ("2023-05-06T14:30:15.250", "2023-05-06 14:30:15"),
        ("2023年5月6日 14:30", "2023-05-06 14:30:00"),
        ("2023-05-06", "2023-05-06 00:00:00"),
    ],
)
def test_timestamp(raw, expected):
    assert one(n.timestamp, raw) == (expected, None, None)


def test_timestamp_from_excel_serial_keeps_the_time():
    assert one(n.timestamp, "45052.75", excel_serial=True) == ("2023-05-06 18:00:00", None, None)


@pytest.mark.parametrize(
    "raw, expected, problem",
    [
        ("2024-01", "2024-01-01 00:00:00", None),
        ("2024年1月", "2024-01-01 00:00:00", None),
        ("2024年1月份", "2024-01-01 00:00:00", None),
        ("202401", "2024-01-01 00:00:00", None),
        ("2024/1", "2024-01-01 00:00:00", None),
        ("2024.01", "2024-01-01 00:00:00", None),
        ("2024-01-15", "2024-01-01 00:00:00", None),
        ("2024-13", None, "impossible month"),
        ("2023-02-30", None, "impossible date"),
        ("一月", None, "unparseable month"),
    ],
)
def test_month(raw, expected, problem):
    assert one(n.month, raw) == (expected, problem, None)


# --- Catalogue 4 and 5: amounts and areas ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected, problem",
    [
        ("1,234.50", 1234.5, None),
        ("1234.5元", 1234.5, None),
        ("￥1234.50", 1234.5, None),
        ("¥ 1,234.50 元", 1234.5, None),
        ("-300.00", -300.0, None),  # 冲正
        ("¥-300", -300.0, None),
        ("−300", -300.0, None),  # U+2212 MINUS SIGN
        ("0", 0.0, None),
        ("1.005", 1.01, None),  # half-up on the decimal text (a float would give 1.00)
        ("2.675", 2.68, None),
        ("-2.675", -2.68, None),
        ("1.004", 1.0, None),
        ("（300.00）", None, "amount in parentheses: sign uncertain"),
        ("1,23.5", None, "unparseable amount"),  # commas that do not group thousands
        ("1.2E+05", None, "unparseable amount"),
        ("12345678901234", None, "amount too large"),
        ("一百元", None, "unparseable amount"),
    ],
)
def test_amount(raw, expected, problem):
    assert one(n.amount, raw) == (expected, problem, None)


@pytest.mark.parametrize(
    "raw, unit, expected",
    [
        ("12.5万", None, 125000.0),
        ("12.5万元", None, 125000.0),
        ("12.5", "万元", 125000.0),
        ("0.123456", "万元", 1234.56),
        ("0.1234565", "万元", 1234.57),  # half-up on the text, after moving the point
        ("300元", "万元", 300.0),  # the value's own unit wins
        ("12.5", "元", 12.5),
    ],
)
def test_amount_in_wan(raw, unit, expected):
    assert one(n.amount, raw, unit=unit) == (expected, None, None)


def test_amount_in_wan_too_large():
    assert one(n.amount, "1234567890万")[1] == "amount too large"


@pytest.mark.parametrize(
    "raw, expected, problem",
    [
        ("89.5", 89.5, None),
        ("89.50㎡", 89.5, None),
        ("89.5平方米", 89.5, None),
        ("89.5m2", 89.5, None),
        ("89.5 M²", 89.5, None),
        ("５", 5.0, None),
        ("500", 500.0, None),
        ("0", None, "implausible area"),
        ("2000", None, "implausible area"),
        ("4.99", None, "implausible area"),
        ("约90", None, "unparseable area"),
    ],
)
def test_area(raw, expected, problem):
    assert one(n.area, raw) == (expected, problem, None)


@pytest.mark.parametrize(
    "raw, expected, problem",
    [("5", 5, None), ("5年", 5, None), ("120户", 120, None), ("1,200", 1200, None), ("12.0", 12, None),
     ("-3", -3, None), ("12.5", None, "not a whole number"), ("五", None, "unparseable number")],
)
def test_integer(raw, expected, problem):
    assert one(n.integer, raw) == (expected, problem, None)


@pytest.mark.parametrize(
    "raw, expected, problem",
    [("850", 850.0, None), ("850米", 850.0, None), ("850m", 850.0, None), ("0.85公里", 850.0, None),
     ("1.2KM", 1200.0, None), ("114.305123", 114.305123, None), ("-0.5", -0.5, None),
     ("约850米", None, "unparseable number")],
)
def test_decimal(raw, expected, problem):
    assert one(n.decimal, raw) == (expected, problem, None)


# --- Catalogue 9: phones ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected, problem",
    [
        ("138 1234 5678", "13812345678", None),
        ("+86 13812345678", "13812345678", None),
        ("86-138-1234-5678", "13812345678", None),
        ("008613812345678", "13812345678", None),
        ("138-1234-5678", "13812345678", None),
        ("１３８１２３４５６７８", "13812345678", None),
        ("027-8888 6666", "027-88886666", None),
        ("02788886666", "027-88886666", None),
        ("(027)88886666", "027-88886666", None),
        ("010-62345678", "010-62345678", None),
        ("0716-8888666", "0716-8888666", None),
        ("07168888666", "0716-8888666", None),
        ("+86 27 8888 6666", "027-88886666", None),
        ("138****5678", "138****5678", None),
        ("无", None, None),
        ("暂无", None, None),
        ("-", None, None),
        ("/", None, None),
        ("88886666", None, "landline without area code"),
        ("13812345678/13987654321", None, "several phone numbers"),
        ("1381234567", None, "invalid phone"),
        ("027-888866", None, "invalid phone"),
        ("027-8888666", None, "invalid phone"),  # 02x areas have 8-digit local numbers
        ("011-88886666", None, "invalid phone"),
        ("12812345678", None, "invalid phone"),
    ],
)
def test_phone(raw, expected, problem):
    assert one(n.phone, raw) == (expected, problem, None)


def test_phone_is_masked():
    values = n.phone(series("138****5678", "13812345678", None)).value
    assert n.phone_is_masked(values).tolist() == [True, False, False]


# --- Catalogue 11: categories ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, vocabulary, expected",
    [
        ("棚改", n.RESETTLEMENT_TYPE, "城镇棚改"),
        ("拆迁", n.RESETTLEMENT_TYPE, "农村拆迁"),
        ("旧改", n.RESETTLEMENT_TYPE, "旧城改造"),
        ("已办结 ", n.WORK_ORDER_STATUS, "已办结"),
        (" 已 办结", n.WORK_ORDER_STATUS, "已办结"),
        ("是", n.YES_NO, "是"),
        ("Y", n.YES_NO, "是"),
        ("y", n.YES_NO, "是"),
        ("1", n.YES_NO, "是"),
        ("ｎｏ", n.YES_NO, "否"),
        ("False", n.YES_NO, "否"),
        ("5", n.SATISFACTION, "非常满意"),
        ("1", n.SATISFACTION, "非常不满意"),
        ("一般", n.SATISFACTION, "一般"),
        ("妻", n.RELATION_TO_HEAD, "配偶"),
        ("M", n.SEX, "男"),
        ("女", n.SEX, "女"),
        ("续交", n.DEPOSIT_TYPE, "续筹"),
    ],
)
def test_category_synonyms(raw, vocabulary, expected):
    assert one(n.category, raw, allowed=vocabulary) == (expected, None, None)


@pytest.mark.parametrize(
    "raw, vocabulary, problem",
    [
        ("1", n.SEX, "unknown category '1'"),  # 1 = 男 in GB/T 2261.1 but not in every system
        ("办完了", n.WORK_ORDER_STATUS, "unknown category '办完了'"),
        ("6", n.SATISFACTION, "unknown category '6'"),
    ],
)
def test_category_unknown(raw, vocabulary, problem):
    assert one(n.category, raw, allowed=vocabulary) == (None, problem, None)


def test_category_with_a_plain_list():
    result = n.category(series("正常", "故障 ", "坏了"), allowed=["正常", "故障"])
    assert result.value.tolist()[:2] == ["正常", "故障"]
    assert result.problem.tolist() == [None, None, "unknown category '坏了'"]


@pytest.mark.parametrize(
    "raw, expected, problem",
    [
        ("低保", "低保", None),
        ("残疾、低保", "低保、残疾", None),
        ("留守儿童，独居老人; 低保户", "低保、独居老人、留守儿童", None),
        ("失业/残疾人 低保", "低保、残疾、失业", None),
        ("低保、低保", "低保", None),
        ("无", None, None),
        ("低保、孤儿", None, "unknown special group '孤儿'"),
    ],
)
def test_special_groups(raw, expected, problem):
    assert one(n.special_groups, raw) == (expected, problem, None)


# --- Catalogue 6: buildings, entrances, rooms, whole dwellings ----------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [("3", "3"), ("3栋", "3"), ("三栋", "3"), ("3号楼", "3"), ("3幢", "3"), ("3#", "3"), ("03", "3"),
     ("第三栋", "3"), ("十一号楼", "11"), ("二十三栋", "23"), ("两栋", "2"), ("A座", "A"), ("b2栋", "B2"), ("３栋", "3")],
)
def test_building(raw, expected):
    assert one(n.building, raw) == (expected, None, None)


@pytest.mark.parametrize("raw", ["3楼", "三四栋", "东区", "3-1"])
def test_building_rejects(raw):
    assert one(n.building, raw) == (None, "unparseable building", None)


@pytest.mark.parametrize("raw, expected", [("2", "2"), ("2单元", "2"), ("二单元", "2"), ("02", "2"), ("第二单元", "2")])
def test_entrance(raw, expected):
    assert one(n.entrance, raw) == (expected, None, None)


@pytest.mark.parametrize(
    "raw, expected",
    [("501", "501"), ("501室", "501"), ("0501", "501"), ("a501", "A501"), ("五零一", "501"), ("五百零一室", "501"), ("1201号", "1201")],
)
def test_room(raw, expected):
    assert one(n.room, raw) == (expected, None, None)


def test_room_rejects():
    assert n.room(series("5-01", "五楼")).problem.tolist() == ["unparseable room", "unparseable room"]


@pytest.mark.parametrize(
    "raw",
    ["三号楼二单元501室", "3栋2单元501", "3幢2单元501室", "3#2-501", "3-2-501", "3号楼2单元0501", "3栋2单元501室",
     "3栋 2单元 501室", "第3栋第2单元501", "3栋-2单元-501", "３栋２单元５０１", "三栋二单元五零一"],
)
def test_dwelling_spellings(raw):
    parsed = n.dwelling(series(raw))
    assert parsed[["building", "entrance", "room"]].iloc[0].tolist() == ["3", "2", "501"]
    assert parsed["problem"].iloc[0] is None


@pytest.mark.parametrize("raw", ["3栋501室", "32-501", "幸福家园3栋2单元501", "3楼2单元501"])
def test_dwelling_rejects(raw):
    parsed = n.dwelling(series(raw))
    assert parsed["problem"].iloc[0] == "unparseable dwelling"
    assert parsed[["building", "entrance", "room"]].iloc[0].isna().all()


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("幸福家园3栋2单元501室", ["幸福家园", "3", "2", "501"]),
        ("江城区幸福家园一期三号楼二单元501室", ["江城区幸福家园一期", "3", "2", "501"]),
        ("幸福家园二期13栋2单元501", ["幸福家园二期", "13", "2", "501"]),
        ("幸福家园3号院5栋2单元501", ["幸福家园3号院", "5", "2", "501"]),
        ("幸福家园 3-2-501", ["幸福家园", "3", "2", "501"]),
    ],
)
def test_split_estate_and_dwelling(raw, expected):
    parsed = n.split_estate_and_dwelling(series(raw))
    assert parsed[["estate", "building", "entrance", "room"]].iloc[0].tolist() == expected
    assert parsed["problem"].iloc[0] is None


def test_split_without_estate_and_ambiguous_seam():
    parsed = n.split_estate_and_dwelling(series("3栋2单元501", "阳光1003栋2单元501", "幸福家园"))
    assert pd.isna(parsed["estate"].iloc[0]) and parsed["building"].iloc[0] == "3"
    assert parsed["problem"].tolist() == [None, "unclear where the estate name ends", "unparseable dwelling"]


def test_the_rows_own_estate_name_settles_an_unclear_seam():
    parsed = n.split_estate_and_dwelling(series("阳光100 3栋2单元501", "阳光1003栋2单元502", "阳光1003栋2单元503"),
                                         series("阳光100", "阳光 100", "朝阳小区"))
    assert parsed[["estate", "building", "entrance", "room"]].iloc[:2].values.tolist() == [["阳光100", "3", "2", "501"],
                                                                                         ["阳光100", "3", "2", "502"]]
    assert parsed["problem"].tolist() == [None, None, "unclear where the estate name ends"]


# --- Catalogue 7: community names -----------------------------------------------------------------


def test_estate_name_key_unifies_phase_spellings():
    keys = n.estate_name_key(series("幸福家园1期", "幸福家园（一期）", "幸福家园一期", "幸福家园(1期)", "幸福家园第一期", " 幸福 家园 01期 "))
    assert keys.tolist() == ["幸福家园1期"] * 6


def test_estate_name_key_other_rules():
    keys = n.estate_name_key(series("幸福家园小区", "幸福家园【二期】", "abc花园", "幸福家园十二期", "小区", None))
    assert keys.tolist()[:5] == ["幸福家园", "幸福家园2期", "ABC花园", "幸福家园12期", "小区"]
    assert pd.isna(keys.iloc[5])
