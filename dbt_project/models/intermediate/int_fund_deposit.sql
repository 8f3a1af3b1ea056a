-- 维修资金缴存: the newest version of each 业务流水号, assigned to estate and dwelling.
-- due_from: when the obligation falls due (INDICATORS.md): a 续筹 from the export date of the first
-- file that carried it; a 首期归集 from its dwelling's 交付日期, which is read per month from the
-- 房源台账 snapshot (int_estate_month_fund), so it is not fixed here.
with assigned as ({{ assign_estate(ref('stg_fund_deposit'), 'estate_name_key') }})
select
    d.serial_no,
    a.estate_code,
    {{ dwelling_key('a.estate_code', 'd.location_building', 'd.location_entrance', 'd.location_room') }} as dwelling_key,
    d.unit_no,
    d.estate_name,
    d.location,
    d.floor_area,
    d.deposit_type,
    d.amount_due,
    d.amount_paid,
    d.paid_date,
    d.remark,
    d.is_reversal,
    d.reversed_serial_no,
    d.first_export_date,
    d.versions_seen,
    d.as_of as version_as_of,
    d._file_sha,
    d._row_number
from {{ ref('stg_fund_deposit') }} d
left join assigned a on a.name_key = d.estate_name_key
