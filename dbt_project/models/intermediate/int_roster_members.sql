-- People of the current roster, assigned to their estate; on_roll per INDICATORS.md (在册 or blank).
with assigned as ({{ assign_estate(ref('stg_household_roster'), 'estate_name_key') }})
select
    a.estate_code,
    r.*,
    r.person_status = '在册' as on_roll
from {{ ref('stg_household_roster') }} r
left join assigned a on a.name_key = r.estate_name_key
