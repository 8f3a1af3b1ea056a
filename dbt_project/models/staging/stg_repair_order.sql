-- 报修工单, newest version of each 报修单号. A blank 维修费用 stays null (unknown), not 0.
select
    repair_no,
    facility_no,
    estate_name,
    estate_name_key,
    reported_at,
    responded_at,
    completed_at,
    description,
    cost,
    funding_source,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'repair_order') }}
qualify row_number() over (partition by repair_no order by {{ newest_version_order() }}) = 1
