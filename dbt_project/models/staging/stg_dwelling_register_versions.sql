-- Every version of 安置房源台账 (snapshot kind): one row per dwelling per file. 产权人 stays in the work database.
select
    unit_no,
    district_name,
    street_name,
    estate_name,
    estate_name_key,
    building,
    entrance,
    room,
    floor_area,
    layout,
    allocation_status,
    {{ resident_key(source('raw', 'dwelling_register'), 'owner_id') }} as owner_key,
    delivery_date,
    registration_date,
    certificate_date,
    resale_restriction_years,
    nullif(trim(title_problem), '') as title_problem,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'dwelling_register') }}
