-- 12345工单明细, newest version of each 工单编号: the newest 更新时间 wins, ties to the newer file.
with newest as (
    select *, count(*) over (partition by order_no) as versions_seen
    from {{ source('raw', 'work_order') }}
    qualify row_number() over (partition by order_no order by {{ newest_version_order('updated_at') }}) = 1
)
select
    order_no,
    called_at,
    district_name,
    street_name,
    address,
    complaint_type,
    complaint_subtype,
    is_dispute = '是' as is_dispute,
    dispatched_at,
    first_response_at,
    closed_at,
    status,
    mediation_result,
    callback_result,
    updated_at,
    versions_seen,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from newest
