-- Every version of 安置人员花名册 (snapshot kind): one row per person per file.
-- Holds personal data (name, phone) for linkage only; never published.
select
    household_no,
    {{ resident_key(source('raw', 'household_roster'), 'resident_id') }} as resident_key,
    name,
    phone,
    relation,
    sex,
    birth_date,
    resettlement_type,
    estate_name,
    estate_name_key,
    dwelling_building,
    dwelling_entrance,
    dwelling_room,
    coalesce(person_status, '在册') as person_status,
    special_groups,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'household_roster') }}
