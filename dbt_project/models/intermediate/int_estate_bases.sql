-- Every registered name key's base → 小区编码: what assign_estate falls back on when a name reaches
-- no estate by its registered keys. The base is the key without what departments add or leave out
-- around the name: the city, district and street a register version writes in front of its own
-- name (EXPORTS.md: community names with the district or street prefixed; 江城市江和区和平百合雅苑3期
-- → 和平百合雅苑3期), then a trailing word for resettlement housing (文化兰亭新村安置小区 →
-- 文化兰亭新村; macro estate_base_key). A base two estates share (幸福家园 and 幸福家园安置小区) is
-- ambiguous and dropped here (it assigns nothing).
with registered as ({{ registered_estate_keys() }}),
city as (
    -- a city (…市) counts as a prefix only where the estate's own district follows it
    select *, regexp_extract(name_key, '^([^市]{1,4}市)', 1) as city_prefix from registered
),
no_city as (
    select estate_code, district_name, street_name,
           case when city_prefix <> '' and starts_with(substr(name_key, length(city_prefix) + 1), district_name)
                then substr(name_key, length(city_prefix) + 1) else name_key end as name_key
    from city
),
no_district as (select estate_code, street_name, {{ without_prefix('name_key', 'district_name') }} as name_key from no_city),
no_street as (select estate_code, {{ without_prefix('name_key', 'street_name') }} as name_key from no_district),
bases as (select distinct estate_code, {{ estate_base_key('name_key') }} as base_key from no_street)
select estate_code, base_key
from bases
where base_key in (select base_key from bases group by base_key having count(distinct estate_code) = 1)
