-- No column of a mart about people may be named like personal data in clear (name, ID number, phone).
-- The marts are named by ref, so that the test runs after they are built.
-- A check of dim_resident in Dagster (this test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'dim_resident'}}}) }}
{% set marts = ['dim_resident', 'dim_household', 'fct_participation', 'fct_satisfaction', 'fct_complaint', 'dim_dwelling'] %}
select table_name, column_name
from information_schema.columns
where table_schema = 'marts'
  and table_name in ({% for mart in marts %}'{{ ref(mart).identifier }}'{{ ', ' if not loop.last }}{% endfor %})
  and (column_name in ('name', 'phone', 'resident_id', 'participant_id', 'respondent_id', 'owner_id', 'owner_name',
                       'participant_name', 'respondent', 'caller', 'address', 'id_number')
       or column_name like '%phone%')
