-- 居民参与记录 (newest version), linked to a resident: by the ID's pseudonymous key, or, when the ID is
-- blank, by exact name + phone against every roster version (a usable, unmasked phone is required;
-- a name + phone that reaches two residents stays unlinked). Assigned to the activity's estate.
with assigned as ({{ assign_estate(ref('stg_participation'), 'estate_name_key') }}),
roster_contacts as (
    select name, phone, min(resident_key) as resident_key
    from {{ ref('stg_household_roster_versions') }}
    where name is not null and phone is not null and not contains(phone, '*') and resident_key is not null
    group by name, phone
    having count(distinct resident_key) = 1
)
select
    p.activity_date,
    p.activity_name,
    p.activity_type,
    a.estate_code,
    p.estate_name,
    p.participant_key is not null as has_id,
    coalesce(p.participant_key, c.resident_key) as resident_key,
    case
        when p.participant_key is not null then 'id'
        when c.resident_key is not null then 'name_phone'
        else 'unlinked'
    end as link_method,
    p.points,
    p.as_of as version_as_of,
    p._file_sha,
    p._row_number
from {{ ref('stg_participation') }} p
left join assigned a on a.name_key = p.estate_name_key
-- Pure equality, so that DuckDB hash-joins: with the row filters in ON it planned a nested loop
-- (180,000 × 120,000 comparisons at city scale). The name is null where the rule does not apply.
left join roster_contacts c
       on c.name = case when p.participant_key is null and p.phone_usable then p.participant_name end
      and c.phone = p.phone
