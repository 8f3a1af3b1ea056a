-- People of the 花名册 snapshot for M, assigned to their estate, with on-roll status and age at
-- month end. Roster rows whose estate cannot be assigned are kept (estate_code null).
--
-- Incremental (the largest table of the build): a month is rebuilt only when its snapshot or that
-- file's load changed, and a person only when the estate of their name changed (macros/snapshots.sql).
-- A change of the project's code rebuilds every month: the pipeline runs dbt with --full-refresh then
-- (pipelines/warehouse/dbt.py).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_changed_months(ref('stg_household_roster_versions')) }}",
              "{{ record_reassigned_rows(ref('stg_household_roster_versions'), 'resident_key') }}",
              "{{ delete_reassigned_rows('resident_key') }}"],
    post_hook="{{ record_assignment(ref('stg_household_roster_versions')) }}"
) }}
with chosen as ({{ months_to_build(ref('stg_household_roster_versions')) }}),
assigned as ({{ assign_estate(ref('stg_household_roster_versions'), 'estate_name_key') }}),
-- one row per person in a snapshot (an exact duplicate row is the same person); per file, before
-- the months multiply the rows (a month reads exactly one file)
persons as (
    select *
    from {{ ref('stg_household_roster_versions') }}
    where resident_key is not null
      and (_file_sha in (select _file_sha from chosen)
           {% if reassigned_rows_known() %}
           or (_file_sha, resident_key) in (select (_file_sha, resident_key) from {{ companion_relation('reassigned') }})
           {% endif %})
    qualify row_number() over (partition by _file_sha, resident_key order by _row_number) = 1
),
people as (
    select c.month, c.built_from, m.month_last_day, r.*
    from chosen c
    join {{ ref('int_months') }} m using (month)
    join persons r using (_file_sha)
    {% if reassigned_rows_known() %}
    union all
    select x.month, x.built_from, m.month_last_day, r.*
    from {{ companion_relation('reassigned') }} x
    join {{ ref('int_months') }} m using (month)
    join persons r using (_file_sha, resident_key)
    {% endif %}
)
select
    p.month,
    a.estate_code,
    p.resident_key,
    p.household_no,
    p.relation,
    p.sex,
    p.birth_date,
    p.person_status,
    p.person_status = '在册' as on_roll,
    -- age in completed years at month end; 60+ = 60th birthday on or before month end
    date_diff('year', p.birth_date, p.month_last_day)
        -- (month, day) compared as month * 100 + day: strftime on millions of rows took most of the model's time
        - case when month(p.birth_date) * 100 + day(p.birth_date) > month(p.month_last_day) * 100 + day(p.month_last_day)
               then 1 else 0 end as age,
    p.birth_date + interval 60 year <= p.month_last_day as aged_60_plus,
    coalesce(contains(p.special_groups, '低保'), false) as is_dibao,
    coalesce(contains(p.special_groups, '残疾'), false) as is_disabled,
    coalesce(contains(p.special_groups, '独居老人'), false) as is_elderly_alone,
    coalesce(contains(p.special_groups, '失业'), false) as is_unemployed,
    coalesce(contains(p.special_groups, '留守儿童'), false) as is_left_behind_child,
    {{ dwelling_key('a.estate_code', 'p.dwelling_building', 'p.dwelling_entrance', 'p.dwelling_room') }} as dwelling_key,
    p.as_of as roster_as_of,
    p.built_from
from people p
left join assigned a on a.name_key = p.estate_name_key
