-- Every version of 周边公共服务配套 (snapshot kind): one row per estate × service per file.
select
    estate_name,
    estate_name_key,
    service_type,
    service_name,
    walking_distance_m,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'nearby_service') }}
