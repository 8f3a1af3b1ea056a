-- One row per estate ever registered: its attributes in the newest register version that lists it.
select
    estate_code,
    estate_name,
    aliases,
    district_code,
    district_name,
    street_code,
    street_name,
    address,
    built_year,
    first_delivery_date,
    total_dwellings,
    buildings,
    elevators,
    coalesce(property_company, '政府托管') as property_company,
    owners_committee_date,
    longitude,
    latitude,
    as_of as register_as_of
from {{ ref('stg_community_register_versions') }}
qualify row_number() over (partition by estate_code order by as_of desc, arrived_at desc, _row_number desc) = 1
