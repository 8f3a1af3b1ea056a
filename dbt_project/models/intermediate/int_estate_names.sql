-- Every name an estate is known by, in any version of the register (小区名称 and 曾用名), as match
-- keys → 小区编码. A key shared by two estates is ambiguous and dropped here (it assigns nothing).
with names as (
    select estate_code, estate_name_key as name_key, 'name' as name_source from {{ ref('stg_community_register_versions') }}
    union
    select estate_code, unnest(string_split(alias_keys, '|')) as name_key, 'alias' as name_source
    from {{ ref('stg_community_register_versions') }}
    where alias_keys is not null
),
clean as (
    select distinct estate_code, name_key, name_source
    from names
    where name_key is not null and name_key <> ''
)
select estate_code, name_key, min(name_source) as name_source
from clean
where name_key in (select name_key from clean group by name_key having count(distinct estate_code) = 1)
group by estate_code, name_key
