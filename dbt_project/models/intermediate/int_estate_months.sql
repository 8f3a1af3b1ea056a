-- The estates of M: the rows of the 安置小区名录 snapshot for M (newest as-of on or before month end).
with chosen as ({{ snapshot_file_for_month(ref('stg_community_register_versions')) }})
select
    c.month,
    r.estate_code,
    r.estate_name,
    r.district_code,
    r.district_name,
    r.street_code,
    r.street_name,
    r.built_year,
    r.first_delivery_date,
    r.total_dwellings,
    r.property_company,
    r.owners_committee_date,
    r.as_of as register_as_of
from chosen c
join {{ ref('stg_community_register_versions') }} r using (_file_sha)
qualify row_number() over (partition by c.month, r.estate_code order by r._row_number desc) = 1
