-- Every row of 物业费收缴明细 as sent. Its key (小区 + 房号 + 计费月份) compares the estate by its
-- register code, so the newest version is chosen after estate assignment (int_property_fee).
select
    property_company,
    estate_name,
    estate_name_key,
    dwelling,
    dwelling_building,
    dwelling_entrance,
    dwelling_room,
    billing_month,
    amount_due,
    coalesce(amount_waived, 0) as amount_waived,      -- a blank 减免金额 is 0
    coalesce(amount_received, 0) as amount_received,  -- a blank 实收金额 is unpaid (0)
    received_date,
    _as_of,
    _arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'property_fee') }}
