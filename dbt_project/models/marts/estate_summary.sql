-- One row per estate of the register: people and dwellings on the current roll.
with residents as (
    select
        estate_code,
        count(distinct resident_id) as residents_on_roll,
        count(distinct household_no) as households_on_roll
    from {{ ref('int_roster_members') }}
    where on_roll and estate_code is not null
    group by estate_code
),
dwellings as (
    select
        estate_code,
        count(*) as dwellings,
        count(*) filter (where allocation_status = '已分配') as dwellings_allocated
    from {{ ref('int_dwellings') }}
    where estate_code is not null
    group by estate_code
)
select
    e.district_code,
    e.district_name,
    e.street_code,
    e.street_name,
    e.estate_code,
    e.estate_name,
    coalesce(r.residents_on_roll, 0) as residents_on_roll,
    coalesce(r.households_on_roll, 0) as households_on_roll,
    coalesce(d.dwellings, 0) as dwellings,
    coalesce(d.dwellings_allocated, 0) as dwellings_allocated
from {{ ref('stg_community_register') }} e
left join residents r using (estate_code)
left join dwellings d using (estate_code)
