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
  int_property_fee is incremental by fee key. A key's newest version can only change when a file
  holding a row of that key is loaded, when the load of its winning version is gone, or when a name
  is assigned to another estate (macros/assign_estate.sql). The loads a build saw are kept in
  int_property_fee_loads (post-hook); the next build deletes the keys so touched (pre-hook) and
  chooses the newest versions of the keys missing. A file loaded for the first time touches only
  its own keys. A file read again, a gone load and a reassigned name may also have removed versions
  of other keys: their whole billing months are chosen again (every version of a key has the same
  计费月份).
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

{% macro property_fee_loads_relation() -%}
{{ this.database }}.{{ this.schema }}.int_property_fee_loads
{%- endmacro %}

{# Files whose current load the last build did not see: new files, and files read again. #}
{% macro property_fee_newly_loaded_files() -%}
select _file_sha from ({{ property_fee_file_loads() }})
where file_load not in (select file_load from {{ property_fee_loads_relation() }})
{%- endmacro %}

{% macro has_recorded_fee_loads() -%}
{{ return(adapter.get_relation(this.database, this.schema, 'int_property_fee_loads') is not none) }}
{%- endmacro %}

{# The conditions name the versions' own columns (file, name key), so that DuckDB reads only the rows they select. #}
{% macro delete_changed_fee_keys() -%}
{% set versions = ref('stg_property_fee_versions') %}
{% if is_incremental() %}
delete from {{ this }}
{% if has_recorded_assignment() and has_recorded_fee_loads() %}
{% set seen_files %}select split_part(file_load, '@', 1) from {{ property_fee_loads_relation() }}{% endset %}
where fee_key is null
   or fee_key in (
        select fee_key from {{ ref('int_property_fee_versions') }}
        where _file_sha in ({{ property_fee_newly_loaded_files() }}) and _file_sha not in ({{ seen_files }}))
   or billing_month in (
        select billing_month from {{ versions }}
        where (_file_sha in ({{ property_fee_newly_loaded_files() }}) and _file_sha in ({{ seen_files }}))
           or estate_name_key in ({{ reassigned_name_keys(versions) }}))
   or billing_month in (
        select billing_month from {{ this }}
        where version_load not in (select file_load from ({{ property_fee_file_loads() }})))
{% endif %}
{% endif %}
{%- endmacro %}

{% macro record_fee_loads() -%}
create or replace table {{ property_fee_loads_relation() }} as
select file_load from ({{ property_fee_file_loads() }})
{%- endmacro %}
