-- 报修工单 (newest version), assigned to its estate; repair hours from 报修时间 to 完成时间.
with assigned as ({{ assign_estate(ref('stg_repair_order'), 'estate_name_key') }})
select
    r.repair_no,
    a.estate_code,
    r.facility_no,
    r.estate_name,
    r.reported_at,
    r.responded_at,
    r.completed_at,
    date_diff('second', r.reported_at, r.completed_at) / 3600.0 as repair_hours,
    r.cost,
    r.funding_source,
    r.as_of as version_as_of,
    r._file_sha,
    r._row_number
from {{ ref('stg_repair_order') }} r
left join assigned a on a.name_key = r.estate_name_key
