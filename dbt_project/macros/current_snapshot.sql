{#
  The rows of a snapshot kind's current version: the file with the newest as-of date, ties going
  to the later arrival (EXPORTS.md). Versions stay in the raw table for month-by-month reading.
#}
{% macro current_snapshot(relation) -%}
select *
from {{ relation }}
where _file_sha = (
    select _file_sha
    from {{ relation }}
    group by _file_sha, _as_of, _arrived_at
    order by _as_of desc, _arrived_at desc, _file_sha desc
    limit 1
)
{%- endmacro %}
