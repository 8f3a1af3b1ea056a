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
