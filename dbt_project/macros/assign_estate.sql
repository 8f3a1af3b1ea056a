{#
  小区编码 for a name key: an exact match to a register name or 曾用名 (of any register version);
  failing that, the longest register key the name ends with after a city, district or street
  prefix (江城区幸福家园1期; var estate_admin_prefix: 新和谐苑 is not 和谐苑). Only when neither
  finds an estate, the same two rules for the key's base against the register keys' bases
  (int_estate_bases): a department writes 文化兰亭新村 or 文化兰亭新村棚改安置点 where the register
  has only 文化兰亭新村安置小区. A key that reaches two estates at the best rule and length is left
  unassigned (null): it is counted as unmatched, never guessed.
  Returns (name_key, estate_code) for the distinct keys of `relation`.
#}
{% macro assign_estate(relation, key_column) -%}
with keys as (
    select name_key, {{ estate_base_key('name_key') }} as base_key
    from (select distinct {{ key_column }} as name_key from {{ relation }} where {{ key_column }} is not null)
),
candidates as (
    select k.name_key, n.estate_code, 0 as by_base, length(n.name_key) as match_length, k.name_key = n.name_key as exact
    from keys k
    join {{ ref('int_estate_names') }} n
      on k.name_key = n.name_key or {{ after_admin_prefix('k.name_key', 'n.name_key') }}
    union all
    select k.name_key, b.estate_code, 1 as by_base, length(b.base_key) as match_length, k.base_key = b.base_key as exact
    from keys k
    join {{ ref('int_estate_bases') }} b
      on k.base_key = b.base_key or {{ after_admin_prefix('k.base_key', 'b.base_key') }}
),
best as (
    select name_key, estate_code
    from candidates
    qualify rank() over (partition by name_key order by by_base, exact desc, match_length desc) = 1
)
select name_key, min(estate_code) as estate_code
from best
group by name_key
having count(distinct estate_code) = 1
{%- endmacro %}

{#
  小区编码 for a free text (12345's 事发地址): every register name key found inside the text's
  match key, but not as the start of a road's or street's name (幸福街道, 安康路; var
  address_road_words); the longest wins; two estates tied at the longest → unassigned.
  Returns (text, estate_code) for the distinct texts of `relation`.
#}
{% macro assign_estate_in_text(relation, text_column) -%}
with texts as (
    select distinct {{ text_column }} as text, {{ text_name_key(text_column) }} as text_key
    from {{ relation }}
    where {{ text_column }} is not null
),
candidates as (
    select t.text, n.estate_code, length(n.name_key) as match_length
    from texts t
    join {{ ref('int_estate_names') }} n
      on contains(t.text_key, n.name_key) and contains({{ without_roads('t.text_key', 'n.name_key') }}, n.name_key)
),
best as (
    select text, estate_code
    from candidates
    qualify rank() over (partition by text order by match_length desc) = 1
)
select text, min(estate_code) as estate_code
from best
group by text
having count(distinct estate_code) = 1
{%- endmacro %}

{#
  Incremental models remember the estate assignment of the names they were built with, in
  <model>_assignment (record_assignment, a post-hook). `reassigned_name_keys` are the keys whose
  小区编码 changed since: a register that adds a 曾用名, renames or removes an estate, or makes a
  name ambiguous. Rows holding such a key are built again (int_property_fee: the fee keys it had
  and has, macros/ledger.sql).
#}
{% macro record_assignment(relation, key_column='estate_name_key') -%}
create or replace table {{ companion_relation('assignment') }} as {{ assign_estate(relation, key_column) }}
{%- endmacro %}

{# (name_key, built_estate_code, estate_code): each reassigned key's 小区编码 at the last build and now (null: unassigned). #}
{% macro reassignments(relation, key_column='estate_name_key') -%}
select coalesce(built.name_key, now.name_key) as name_key, built.estate_code as built_estate_code, now.estate_code
from {{ companion_relation('assignment') }} built
full join ({{ assign_estate(relation, key_column) }}) now on now.name_key = built.name_key
where built.estate_code is distinct from now.estate_code
{%- endmacro %}

{% macro reassigned_name_keys(relation, key_column='estate_name_key') -%}
select name_key from ({{ reassignments(relation, key_column) }})
{%- endmacro %}
