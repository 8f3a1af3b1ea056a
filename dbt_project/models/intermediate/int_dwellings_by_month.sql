-- Dwellings of the 房源台账 snapshot for M, assigned to their estate, with the dwelling key.
-- Incremental like int_roster_by_month: a month is rebuilt only when what it is built from changed,
-- a dwelling only when the estate of its name changed.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_changed_months(ref('stg_dwelling_register_versions')) }}",
              "{{ record_reassigned_rows(ref('stg_dwelling_register_versions'), '_row_number') }}",
              "{{ delete_reassigned_rows('_row_number') }}"],
    post_hook="{{ record_assignment(ref('stg_dwelling_register_versions')) }}"
) }}
with chosen as ({{ months_to_build(ref('stg_dwelling_register_versions')) }}),
assigned as ({{ assign_estate(ref('stg_dwelling_register_versions'), 'estate_name_key') }}),
snapshot_rows as (
    select c.month, c.built_from, d.*
    from chosen c
    join {{ ref('stg_dwelling_register_versions') }} d using (_file_sha)
    {% if reassigned_rows_known() %}
    union all
    select x.month, x.built_from, d.*
    from {{ companion_relation('reassigned') }} x
    join {{ ref('stg_dwelling_register_versions') }} d using (_file_sha, _row_number)
    {% endif %}
)
select
    d.month,
    a.estate_code,
    {{ dwelling_key('a.estate_code', 'd.building', 'd.entrance', 'd.room') }} as dwelling_key,
    d.unit_no,
    d.estate_name,
    d.building,
    d.entrance,
    d.room,
    d.floor_area,
    d.layout,
    d.allocation_status,
    d.owner_key,
    d.delivery_date,
    d.registration_date,
    d.certificate_date,
    coalesce(d.resale_restriction_years, {{ var('resale_default_years') }}) as resale_restriction_years,
    -- 可上市交易日期: 办证日期 + N years (29 Feb + N years = 28 Feb when not a leap year)
    cast(d.certificate_date + to_years(cast(coalesce(d.resale_restriction_years, {{ var('resale_default_years') }}) as integer)) as date)
        as resale_eligible_date,
    d.title_problem,
    d.as_of as register_as_of,
    d._file_sha,
    d._row_number,
    d.built_from
from snapshot_rows d
left join assigned a on a.name_key = d.estate_name_key
