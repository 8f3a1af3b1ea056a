{#
  A month-grain model built from one month-grain input (fct_property_registration from
  int_dwellings_by_month) is incremental by month. Per month it records a fingerprint of what the
  month was built from: the input's rows of that month, the month's int_months row and the
  estates' districts. A build deletes the months whose fingerprint changed or whose input rows are
  gone (pre-hook) and adds the months missing; the fingerprints are recorded after (post-hook).
  Hashes of the rows rather than a build marker: a build that stopped half-way is caught up on by
  the next, and a month rebuilt to the same rows is left alone.
#}
{% macro month_inputs_relation() -%}
{{ this.database }}.intermediate.{{ this.identifier }}_inputs
{%- endmacro %}

{% macro month_input_fingerprints(input) -%}
select i.month, hash(i.fingerprint, hash(m), e.fingerprint) as fingerprint
from (select month, sum(hash(t)) as fingerprint from {{ input }} t group by month) i
join {{ ref('int_months') }} m using (month)
cross join (select sum(hash(estate_code, district_code)) as fingerprint from {{ ref('int_estates') }}) e
{%- endmacro %}

{% macro delete_months_with_new_inputs(input) -%}
{% if is_incremental() %}
delete from {{ this }}
{% if adapter.get_relation(this.database, 'intermediate', this.identifier ~ '_inputs') is not none %}
where month not in (select month from ({{ month_input_fingerprints(input) }}) now
                    join {{ month_inputs_relation() }} built using (month, fingerprint))
{% endif %}
{% endif %}
{%- endmacro %}

{% macro record_month_inputs(input) -%}
create or replace table {{ month_inputs_relation() }} as {{ month_input_fingerprints(input) }}
{%- endmacro %}
