-- One row per estate of the current register: people and dwellings on its current roll
-- (kept for Superset; built on the versioned models: the newest assessment month).
with latest as (select max(month) as month from {{ ref('int_months') }})
select
    e.district_code,
    e.district_name,
    e.street_code,
    e.street_name,
    e.estate_code,
    e.estate_name,
    coalesce(p.residents_on_roll, 0) as residents_on_roll,
    coalesce(p.households_on_roll, 0) as households_on_roll,
    coalesce(t.dwellings, 0) as dwellings,
    coalesce(t.dwellings_allocated, 0) as dwellings_allocated
from {{ ref('int_estate_months') }} e
join latest using (month)
left join {{ ref('int_estate_month_people') }} p using (month, estate_code)
left join {{ ref('int_estate_month_titles') }} t using (month, estate_code)
