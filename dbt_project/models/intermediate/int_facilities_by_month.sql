-- Facilities of the 设施设备台账 snapshot for M, assigned to their estate.
with chosen as ({{ snapshot_file_for_month(ref('stg_facility_register_versions')) }}),
assigned as ({{ assign_estate(ref('stg_facility_register_versions'), 'estate_name_key') }})
select
    c.month,
    a.estate_code,
    f.facility_no,
    f.facility_type,
    f.estate_name,
    f.building,
    f.commissioned_date,
    f.operating_status,
    f.last_maintained_date,
    f.as_of as register_as_of,
    f._file_sha,
    f._row_number
from chosen c
join {{ ref('stg_facility_register_versions') }} f using (_file_sha)
left join assigned a on a.name_key = f.estate_name_key
