-- 12345 work orders (newest version), assigned to an estate by the name found inside 事发地址 and to
-- a district by 所属区县 (name → register district code). Unassigned orders are kept.
with by_address as ({{ assign_estate_in_text(ref('stg_work_order'), 'address') }}),
districts as (
    select district_name, min(district_code) as district_code
    from {{ ref('stg_community_register_versions') }}
    where district_name is not null
    group by district_name
    having count(distinct district_code) = 1
)
select
    w.order_no,
    a.estate_code,
    d.district_code as reported_district_code,
    w.district_name as reported_district_name,
    w.street_name as reported_street_name,
    w.address,
    w.called_at,
    w.complaint_type,
    w.complaint_subtype,
    w.is_dispute,
    w.dispatched_at,
    w.first_response_at,
    w.closed_at,
    w.status,
    w.mediation_result,
    w.callback_result,
    w.updated_at,
    -- 投诉响应及时率: first response within 24 h of dispatch, bound included; blank = not timely
    coalesce(w.first_response_at - w.dispatched_at <= interval 24 hour, false) as responded_within_24h,
    w.versions_seen,
    w.as_of as version_as_of,
    w._file_sha,
    w._row_number
from {{ ref('stg_work_order') }} w
left join by_address a on a.text = w.address
left join districts d on d.district_name = w.district_name
