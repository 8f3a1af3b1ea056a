-- Every name an estate is known by (register name and 曾用名), as match keys → 小区编码.
with names as (
    select estate_code, estate_name_key as name_key from {{ ref('stg_community_register') }}
    union
    select estate_code, unnest(string_split(alias_keys, '|')) as name_key
    from {{ ref('stg_community_register') }}
    where alias_keys is not null
)
select distinct estate_code, name_key
from names
where name_key is not null and name_key <> ''
