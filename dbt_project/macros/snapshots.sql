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
