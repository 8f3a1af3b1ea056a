-- 12345 work orders, one row per 工单编号 in its newest version (newest 更新时间). district_code is the
-- estate's district when the address names an estate, else the reported 所属区县 (unmatched orders count there).
select
    w.order_no,
    w.estate_code,
    coalesce(e.district_code, w.reported_district_code) as district_code,
    w.reported_district_code,
    w.called_at,
    w.complaint_type,
    w.complaint_subtype,
    w.is_dispute,
    w.dispatched_at,
    w.first_response_at,
    w.responded_within_24h,
    w.closed_at,
    w.status,
    w.mediation_result,
    w.callback_result,
    w.updated_at,
    w.versions_seen,
    w.version_as_of,
    w._file_sha,
    w._row_number
from {{ ref('int_work_order') }} w
left join {{ ref('int_estates') }} e using (estate_code)
