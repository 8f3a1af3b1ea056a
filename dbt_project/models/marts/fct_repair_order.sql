-- 报修工单, one row per 报修单号 in its newest version; 维修费用 null = unknown.
select
    r.repair_no,
    r.estate_code,
    e.district_code,
    r.facility_no,
    r.reported_at,
    r.responded_at,
    r.completed_at,
    r.repair_hours,
    r.cost,
    r.funding_source,
    r.version_as_of,
    r._file_sha,
    r._row_number
from {{ ref('int_repair_order') }} r
left join {{ ref('int_estates') }} e using (estate_code)
