{#
  (estate_code, name_key, name_source, district_name, street_name): every 小区名称 ('name') and 曾用名
  ('alias') key of every register version, with the district and street that version names.
#}
{% macro registered_estate_keys() -%}
with names as (
    select estate_code, estate_name_key as name_key, 'name' as name_source, district_name, street_name
    from {{ ref('stg_community_register_versions') }}
    union
    select estate_code, unnest(string_split(alias_keys, '|')) as name_key, 'alias' as name_source, district_name, street_name
    from {{ ref('stg_community_register_versions') }}
    where alias_keys is not null
)
select distinct estate_code, name_key, name_source, district_name, street_name
from names
where name_key is not null and name_key <> ''
{%- endmacro %}
