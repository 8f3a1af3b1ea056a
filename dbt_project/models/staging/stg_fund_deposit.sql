-- 专项维修资金缴存明细, newest version of each 业务流水号 (EXPORTS.md). A reversal (冲正) is a row of its
-- own and stays one: it nets out by its negative 实缴金额. first_export_date is when a 续筹 fell due.
with versions as (
    select
        *,
        min(_as_of) over (partition by serial_no) as first_export_date,
        count(*) over (partition by serial_no) as versions_seen
    from {{ source('raw', 'fund_deposit') }}
),
newest as (
    select *
    from versions
    qualify row_number() over (partition by serial_no order by {{ newest_version_order() }}) = 1
)
select
    serial_no,
    unit_no,
    estate_name,
    estate_name_key,
    location,
    location_estate,
    location_building,
    location_entrance,
    location_room,
    floor_area,
    amount_due,
    coalesce(amount_paid, 0) as amount_paid,  -- a blank 实缴金额 is 0
    paid_date,
    deposit_type,
    remark,
    starts_with(coalesce(remark, ''), '冲正') as is_reversal,
    nullif(trim(regexp_extract(coalesce(remark, ''), '^冲正\s*(\S+)', 1)), '') as reversed_serial_no,
    first_export_date,
    versions_seen,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from newest
