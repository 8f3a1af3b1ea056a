{#
  Snapshot kinds (EXPORTS.md, S): every version is kept in raw. For assessment month M the
  snapshot is the file with the newest as-of date on or before M's month end, ties going to the
  later arrival (then the larger SHA, only to make the choice deterministic).
#}

{# (month, _file_sha): the file (relation: a *_versions staging view, columns as_of / arrived_at) that is "the snapshot for M" of one snapshot kind. #}
{% macro snapshot_file_for_month(relation) -%}
select m.month, f._file_sha
from {{ ref('int_months') }} m
join (
    select distinct _file_sha, as_of, arrived_at from {{ relation }}
) f on f.as_of <= m.month_last_day
qualify row_number() over (
    partition by m.month order by f.as_of desc, f.arrived_at desc, f._file_sha desc
) = 1
{%- endmacro %}

{# The rows of the current version (newest as-of overall) of a *_versions staging view: kept for estate_summary. #}
{% macro current_snapshot(relation) -%}
select *
from {{ relation }}
where _file_sha = (
    select _file_sha
    from {{ relation }}
    group by _file_sha, as_of, arrived_at
    order by as_of desc, arrived_at desc, _file_sha desc
    limit 1
)
{%- endmacro %}

{#
  Incremental month-by-snapshot models (int_roster_by_month, int_dwellings_by_month): month M holds
  the rows of M's snapshot file; `built_from` is the load of that file (a reprocessed file is
  loaded anew). Pre-hooks: `delete_changed_months` deletes the months whose snapshot or its load
  changed or that lost their snapshot; the model then adds the months missing. In the months
  kept, a row whose name is now assigned to another estate (macros/assign_estate.sql) is recorded
  in <model>_reassigned by its row key (`record_reassigned_rows`), deleted
  (`delete_reassigned_rows`), and built again: a register update reassigns a few names, and
  rebuilding every month holding one rebuilt them all.
#}
{% macro snapshot_months_built_from(relation) -%}
select c.month, c._file_sha, {{ file_load('c._file_sha', 'f.ingested_at') }} as built_from
from ({{ snapshot_file_for_month(relation) }}) c
left join {{ source('quality', 'files') }} f on f.file_sha = c._file_sha
{%- endmacro %}

{% macro delete_changed_months(relation) -%}
{% if is_incremental() %}
delete from {{ this }}
{% if has_companion('assignment') %}
where not exists (select 1 from ({{ snapshot_months_built_from(relation) }}) s
                  where s.month = {{ this }}.month and s.built_from = {{ this }}.built_from)
{% endif %}
{% endif %}
{%- endmacro %}

{# Whether this build rebuilds the reassigned rows alone: it is incremental, and the last build recorded its assignment. #}
{% macro reassigned_rows_known() -%}
{{ return(is_incremental() and has_companion('assignment')) }}
{%- endmacro %}

{# (month, built_from, _file_sha, row_key) of the kept months' rows whose version's name was reassigned. #}
{% macro record_reassigned_rows(relation, row_key) -%}
{% if reassigned_rows_known() %}
create or replace table {{ companion_relation('reassigned') }} as
select distinct s.month, s.built_from, s._file_sha, v.{{ row_key }}
from ({{ snapshot_months_built_from(relation) }}) s
join {{ relation }} v using (_file_sha)
where v.{{ row_key }} is not null
  and v.estate_name_key in ({{ reassigned_name_keys(relation) }})
  and s.month in (select month from {{ this }})
{% endif %}
{%- endmacro %}

{% macro delete_reassigned_rows(row_key) -%}
{% if reassigned_rows_known() %}
delete from {{ this }}
where exists (select 1 from {{ companion_relation('reassigned') }} r
              where r.month = {{ this }}.month and r.{{ row_key }} = {{ this }}.{{ row_key }})
{% endif %}
{%- endmacro %}

{# The months of the snapshot to (re)build: all of them, or in an incremental build those missing. #}
{% macro months_to_build(relation) -%}
select * from ({{ snapshot_months_built_from(relation) }}) s
{% if is_incremental() %}
where s.month not in (select month from {{ this }})
{% endif %}
{%- endmacro %}
