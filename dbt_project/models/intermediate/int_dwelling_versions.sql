-- Every version of every dwelling row of 安置房源台账 (all snapshots), assigned to estate and dwelling key.
-- Used where a dwelling's attribute must be read "as of M" even when its row in M's file was rejected.
with assigned as ({{ assign_estate(ref('stg_dwelling_register_versions'), 'estate_name_key') }})
select
    a.estate_code,
    {{ dwelling_key('a.estate_code', 'd.building', 'd.entrance', 'd.room') }} as dwelling_key,
    d.delivery_date,
    d.allocation_status,
    d.as_of,
    d.arrived_at,
    d._file_sha,
    d._row_number
from {{ ref('stg_dwelling_register_versions') }} d
left join assigned a on a.name_key = d.estate_name_key
where a.estate_code is not null
