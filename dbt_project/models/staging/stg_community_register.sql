-- The estate register's current version. Two rows with one 小区编码 fail the unique test and stop publication:
-- an ambiguous register must be fixed at the source, not guessed.
select
    estate_code,
    estate_name,
    estate_name_key,
    aliases,
    alias_keys,
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
    property_company,
    owners_committee_date,
    longitude,
    latitude,
    _as_of as as_of
from ({{ current_snapshot(source('raw', 'community_register')) }})
