-- One row per household (户编号) of the newest 花名册 snapshot: estate, dwelling, members, on-roll status.
with members as (
    select *
    from {{ ref('int_roster_by_month') }}
    where month = (select max(month) from {{ ref('int_months') }})
)
select
    m.household_no,
    min(m.estate_code) as estate_code,
    min(e.district_code) as district_code,
    min(m.dwelling_key) as dwelling_key,
    count(*) as members,
    count(*) filter (where m.on_roll) as members_on_roll,
    bool_or(m.on_roll) as on_roll,
    bool_or(m.is_dibao) as has_dibao_member,
    max(m.roster_as_of) as roster_as_of
from members m
left join {{ ref('int_estates') }} e using (estate_code)
group by m.household_no
