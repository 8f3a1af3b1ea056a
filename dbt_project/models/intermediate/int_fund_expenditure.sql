-- 维修资金使用公示: the newest version of each 小区 + 项目名称 + 表决通过日期, assigned to its estate.
with assigned as ({{ assign_estate(ref('stg_fund_expenditure_versions'), 'estate_name_key') }}),
keyed as (
    select
        e.*,
        a.estate_code,
        coalesce(a.estate_code, 'name:' || e.estate_name_key) || '|' || e.project_name || '|'
            || strftime(e.approved_date, '%Y-%m-%d') as expenditure_key
    from {{ ref('stg_fund_expenditure_versions') }} e
    left join assigned a on a.name_key = e.estate_name_key
)
select
    expenditure_key,
    estate_code,
    estate_name,
    project_name,
    amount,
    households_involved,
    approved_date,
    disbursed_date,
    _as_of as version_as_of,
    _file_sha,
    _row_number
from keyed
qualify row_number() over (partition by expenditure_key order by {{ newest_version_order() }}) = 1
