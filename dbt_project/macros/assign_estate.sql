{#
  小区编码 for a name key: an exact match to a register name or alias; failing that, the longest
  register key the name ends with (a district or street prefix in front). A key that reaches two
  estates is left unassigned (null): it is counted as unmatched, never guessed.
#}
{% macro assign_estate(relation, key_column) -%}
with keys as (select distinct {{ key_column }} as name_key from {{ relation }} where {{ key_column }} is not null),
candidates as (
    select k.name_key, n.estate_code, length(n.name_key) as match_length, k.name_key = n.name_key as exact
    from keys k
    join {{ ref('int_estate_names') }} n
      on k.name_key = n.name_key or k.name_key like '%' || n.name_key
),
best as (
    select name_key, estate_code
    from candidates
    qualify rank() over (partition by name_key order by exact desc, match_length desc) = 1
)
select name_key, min(estate_code) as estate_code
from best
group by name_key
having count(distinct estate_code) = 1
{%- endmacro %}
