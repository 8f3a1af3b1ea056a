-- Every version of 设施设备台账 (snapshot kind): one row per facility per file.
select
    facility_no,
    facility_type,
    estate_name,
    estate_name_key,
    building,
    commissioned_date,
    operating_status,
    last_maintained_date,
    maintainer,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'facility_register') }}
