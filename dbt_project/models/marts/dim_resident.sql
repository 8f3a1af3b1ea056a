-- One row per resident of the newest 花名册 snapshot, pseudonymous: the keyed-hash resident key, a masked
-- name (surname + *), sex, age band at month end, vulnerable-group flags, on-roll. No name, ID or phone.
with latest as (
    select r.*, v.name
    from {{ ref('int_roster_by_month') }} r
    left join {{ ref('stg_household_roster_versions') }} v
           on v.resident_key = r.resident_key and v.as_of = r.roster_as_of
    where r.month = (select max(month) from {{ ref('int_months') }})
    qualify row_number() over (partition by r.resident_key order by v._row_number) = 1
)
select
    l.resident_key,
    case when l.name is not null then left(l.name, 1) || repeat('*', greatest(length(l.name) - 1, 1)) end as masked_name,
    l.household_no,
    l.estate_code,
    e.district_code,
    l.dwelling_key,
    l.relation,
    l.sex,
    case
        when l.age is null then null
        when l.age < 18 then '0-17'
        when l.age < 35 then '18-34'
        when l.age < 60 then '35-59'
        when l.age < 80 then '60-79'
        else '80+'
    end as age_band,
    l.aged_60_plus,
    l.person_status,
    l.on_roll,
    l.is_dibao,
    l.is_disabled,
    l.is_elderly_alone,
    l.is_unemployed,
    l.is_left_behind_child,
    l.roster_as_of
from latest l
left join {{ ref('int_estates') }} e using (estate_code)
