-- 维修资金使用公示, one row per estate + 项目名称 + 表决通过日期 in its newest version (published as is).
select
    x.expenditure_key,
    x.estate_code,
    e.district_code,
    x.project_name,
    x.amount,
    x.households_involved,
    x.approved_date,
    x.disbursed_date,
    x.version_as_of,
    x._file_sha,
    x._row_number
from {{ ref('int_fund_expenditure') }} x
left join {{ ref('int_estates') }} e using (estate_code)
