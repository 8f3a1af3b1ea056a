{#
  Ledger kinds (EXPORTS.md, L): a key identifies an event; its newest version wins, also for past
  months (history is restated). Newest = the file with the latest stated export date (_as_of),
  ties to the later arrival, and within one file the later row. `first_order` puts a rule in front
  (12345: the newest 更新时间 first).
#}
{% macro newest_version_order(first_order=none) -%}
    {%- if first_order %}{{ first_order }} desc nulls last, {% endif -%}
    _as_of desc, _arrived_at desc, _row_number desc, _file_sha desc
{%- endmacro %}

{#
  A 物业费 version's key, its name assigned to `estate_code` (f: a stg_property_fee_versions row):
  小区编码, or the written name key when unassigned | 楼栋-单元-房号, or the dwelling as written |
  计费月份. Null when the month, the name or the dwelling is missing.
#}
{% macro fee_key(estate_code, f='f') -%}
coalesce({{ estate_code }}, 'name:' || {{ f }}.estate_name_key) || '|'
    || coalesce({{ f }}.dwelling_building || '-' || {{ f }}.dwelling_entrance || '-' || {{ f }}.dwelling_room, 'raw:' || {{ f }}.dwelling) || '|'
    || strftime({{ f }}.billing_month, '%Y-%m')
{%- endmacro %}

{#
  int_property_fee is incremental by fee key. A key's newest version can only change when a file
  holding a row of that key is loaded, when the load of its winning version is gone, or when a name
  is assigned to another estate (macros/assign_estate.sql). The loads a build saw are kept in
  int_property_fee_loads (post-hook). The next build records in int_property_fee_changes the keys
  so touched, deletes them and chooses them again (pre-hooks):
  - a file loaded for the first time: its own keys;
  - a name assigned to another estate: the keys its versions had and have, so both the estate
    that lost the name and the one that gained it choose again;
  - a file read again, a gone load: they may have removed versions of any key, so their whole
    billing months (whole_month; every version of a key has the same 计费月份), as are the
    billing months the table lacks altogether.
  Without the last build's loads and assignment every row is chosen again.
#}
{# One load of one file: `sha@ingested_at` (a reprocessed file is loaded again, under a new time). #}
{% macro file_load(sha, ingested_at) -%}
{{ sha }} || '@' || coalesce(cast({{ ingested_at }} as varchar), '')
{%- endmacro %}

{% macro property_fee_file_loads() -%}
select f._file_sha, {{ file_load('f._file_sha', 'q.ingested_at') }} as file_load
from (select distinct _file_sha from {{ ref('stg_property_fee_versions') }}) f
left join {{ source('quality', 'files') }} q on q.file_sha = f._file_sha
{%- endmacro %}

{# Files whose current load the last build did not see: new files, and files read again. #}
{% macro property_fee_newly_loaded_files() -%}
select _file_sha from ({{ property_fee_file_loads() }})
where file_load not in (select file_load from {{ companion_relation('loads') }})
{%- endmacro %}

{# Whether this build chooses only the changed keys: it is incremental, and the last build recorded its loads and assignment. #}
{% macro fee_changes_known() -%}
{{ return(is_incremental() and has_companion('assignment') and has_companion('loads')) }}
{%- endmacro %}

{# Pre-hook: what to choose again, (fee_key, billing_month, whole_month): a key, or a whole billing
   month. No filter may test the fee key of the versions here: DuckDB pushes it below the test of the
   file, and computes the key of every version (province: 1.9 s -> 18-22 s for one month's file). #}
{% macro record_changed_fee_keys() -%}
{% if fee_changes_known() %}
{% set versions = ref('stg_property_fee_versions') %}
{% set seen_files %}select split_part(file_load, '@', 1) from {{ companion_relation('loads') }}{% endset %}
create or replace table {{ companion_relation('changes') }} as
select fee_key, billing_month, false as whole_month from {{ ref('int_property_fee_versions') }}
where _file_sha in ({{ property_fee_newly_loaded_files() }}) and _file_sha not in ({{ seen_files }})
union
select unnest([{{ fee_key('r.built_estate_code') }}, {{ fee_key('r.estate_code') }}]), f.billing_month, false
from {{ versions }} f
join ({{ reassignments(versions) }}) r on r.name_key = f.estate_name_key
union
select null, billing_month, true from {{ versions }}
where _file_sha in ({{ property_fee_newly_loaded_files() }}) and _file_sha in ({{ seen_files }})
union
select null, billing_month, true from {{ this }}
where version_load not in (select file_load from ({{ property_fee_file_loads() }}))
union
select null, billing_month, true from {{ versions }}
where billing_month not in (select billing_month from {{ this }} where billing_month is not null)
{% endif %}
{%- endmacro %}

{# Whether a version of int_property_fee_versions (`alias`) or a row of the model (no alias) has a key
   recorded as changed. A version without a key (no month, name or dwelling) is chosen again in every build. #}
{% macro fee_key_changed(alias=none) -%}
{% set changes = companion_relation('changes') %}
{% set p = alias ~ '.' if alias else '' %}
{{ p }}fee_key is null
   or {{ p }}fee_key in (select fee_key from {{ changes }} where fee_key is not null)
   or {{ p }}billing_month in (select billing_month from {{ changes }} where whole_month)
{%- endmacro %}

{# Pre-hook, after record_changed_fee_keys: the changed keys go (every row, when they are not known). #}
{% macro delete_changed_fee_keys() -%}
{% if is_incremental() %}
delete from {{ this }}
{% if fee_changes_known() %}
where {{ fee_key_changed() }}
{% endif %}
{% endif %}
{%- endmacro %}

{% macro record_fee_loads() -%}
create or replace table {{ companion_relation('loads') }} as
select file_load from ({{ property_fee_file_loads() }})
{%- endmacro %}
