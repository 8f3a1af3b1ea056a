-- The roster's current version: one row per person as listed (personal data stays in the work database).
select
    household_no,
    {{ resident_key(source('raw', 'household_roster'), 'resident_id') }} as resident_key,
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
    _file_sha,
    _row_number
from ({{ current_snapshot(source('raw', 'household_roster')) }})
