{#
  Tables an incremental model keeps beside itself, <model>_<suffix> in its schema: what its hooks
  record for the next build (the assignment it was built with, the loads it saw, what it rebuilt).
#}
{% macro companion_relation(suffix) -%}
{{ this.database }}.{{ this.schema }}.{{ this.identifier }}_{{ suffix }}
{%- endmacro %}

{% macro has_companion(suffix) -%}
{{ return(adapter.get_relation(this.database, this.schema, this.identifier ~ '_' ~ suffix) is not none) }}
{%- endmacro %}
