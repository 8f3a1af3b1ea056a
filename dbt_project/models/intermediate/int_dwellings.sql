-- Dwellings of the current register, assigned to their estate (null estate_code = unmatched).
with assigned as ({{ assign_estate(ref('stg_dwelling_register'), 'estate_name_key') }})
select
    a.estate_code,
    d.*
from {{ ref('stg_dwelling_register') }} d
left join assigned a on a.name_key = d.estate_name_key
