-- One row per dwelling (小区编码 + 楼栋 + 单元 + 房号) of the newest 房源台账 snapshot, assigned to an estate.
-- Dwellings whose estate cannot be assigned have no key and are counted as unmatched in data_quality.
with latest as (
    select *
    from {{ ref('int_dwellings_by_month') }}
    where month = (select max(month) from {{ ref('int_months') }})
      and dwelling_key is not null
    qualify row_number() over (partition by dwelling_key order by _row_number desc) = 1
)
select
    d.dwelling_key,
    d.estate_code,
    e.district_code,
    e.street_code,
    d.building,
    d.entrance,
    d.room,
    d.unit_no,
    d.floor_area,
    d.layout,
    d.allocation_status,
    d.owner_key,
    d.delivery_date,
    d.registration_date,
    d.certificate_date,
    d.resale_restriction_years,
    d.resale_eligible_date,
    d.title_problem,
    d.register_as_of
from latest d
left join {{ ref('int_estates') }} e using (estate_code)
