-- Nearby public services of the 周边公共服务配套 snapshot for M, assigned to their estate.
with chosen as ({{ snapshot_file_for_month(ref('stg_nearby_service_versions')) }}),
assigned as ({{ assign_estate(ref('stg_nearby_service_versions'), 'estate_name_key') }})
select
    c.month,
    a.estate_code,
    s.estate_name,
    s.service_type,
    s.service_name,
    s.walking_distance_m,
    s.as_of as snapshot_as_of,
    s._file_sha,
    s._row_number
from chosen c
join {{ ref('stg_nearby_service_versions') }} s using (_file_sha)
left join assigned a on a.name_key = s.estate_name_key
