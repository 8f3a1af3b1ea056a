-- No column of a published mart may be named like personal data in clear (name, ID number, phone).
select table_name, column_name
from information_schema.columns
where table_schema = 'marts'
  and table_name in ('dim_resident', 'dim_household', 'fct_participation', 'fct_satisfaction', 'fct_complaint', 'dim_dwelling')
  and (column_name in ('name', 'phone', 'resident_id', 'participant_id', 'respondent_id', 'owner_id', 'owner_name',
                       'participant_name', 'respondent', 'caller', 'address', 'id_number')
       or column_name like '%phone%')
