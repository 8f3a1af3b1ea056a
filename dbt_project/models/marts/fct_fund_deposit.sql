-- 维修资金缴存, one row per 业务流水号 in its newest version; reversals (冲正) are rows of their own.
select
    d.serial_no,
    d.estate_code,
    e.district_code,
    d.dwelling_key,
    d.deposit_type,
    d.amount_due,
    d.amount_paid,
    d.paid_date,
    d.is_reversal,
    d.reversed_serial_no,
    d.first_export_date,
    d.versions_seen,
    d.version_as_of,
    d._file_sha,
    d._row_number
from {{ ref('int_fund_deposit') }} d
left join {{ ref('int_estates') }} e using (estate_code)
