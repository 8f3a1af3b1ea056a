-- Every row of 维修资金使用公示 as sent; the newest version per key is chosen after estate assignment.
select
    estate_name,
    estate_name_key,
    project_name,
    amount,
    households_involved,
    approved_date,
    disbursed_date,
    _as_of,
    _arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'fund_expenditure') }}
