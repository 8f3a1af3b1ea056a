-- One row per estate (小区编码) ever in the register: attributes from its newest register version,
-- and its type in the newest assessment month (the type per month is in dim_estate_month).
with latest_type as (
    select estate_code, estate_type, month
    from {{ ref('int_estate_month_people') }}
    qualify row_number() over (partition by estate_code order by month desc) = 1
)
select
    e.estate_code,
    e.estate_name,
    e.aliases,
    e.district_code,
    e.district_name,
    e.street_code,
    e.street_name,
    e.address,
    e.built_year,
    e.first_delivery_date,
    e.total_dwellings,
    e.buildings,
    e.elevators,
    e.property_company,
    e.owners_committee_date,
    e.longitude,
    e.latitude,
    t.estate_type as current_estate_type,
    t.month as current_type_month,
    e.register_as_of
from {{ ref('int_estates') }} e
left join latest_type t using (estate_code)
