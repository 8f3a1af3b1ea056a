-- The dwelling register's current version, with the estate written as the department wrote it.
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
    delivery_date,
    registration_date,
    certificate_date,
    resale_restriction_years,
    title_problem,
    _as_of as as_of,
    _file_sha,
    _row_number
from ({{ current_snapshot(source('raw', 'dwelling_register')) }})
