-- 物业费: the newest version of each key (estate by register code, dwelling by canonical parts,
-- billing month), assigned to estate and dwelling. Unassigned rows keep their written name as key.
-- Incremental by billing month: only the months that newly loaded files touch are chosen again
-- (macros/ledger.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_fee_months() }}",
    post_hook=["{{ record_fee_loads() }}", "{{ record_assignment(ref('stg_property_fee_versions')) }}"]
) }}
with versions as (
    select *
    from {{ ref('stg_property_fee_versions') }} f
    {% if is_incremental() %}
    where f.billing_month is null or f.billing_month not in (select distinct billing_month from {{ this }} where billing_month is not null)
    {% endif %}
),
assigned as ({{ assign_estate(ref('stg_property_fee_versions'), 'estate_name_key') }}),
keyed as (
    select
        f.*,
        a.estate_code,
        {{ dwelling_key('a.estate_code', 'f.dwelling_building', 'f.dwelling_entrance', 'f.dwelling_room') }} as dwelling_key,
        coalesce(a.estate_code, 'name:' || f.estate_name_key) || '|'
            || coalesce(f.dwelling_building || '-' || f.dwelling_entrance || '-' || f.dwelling_room, 'raw:' || f.dwelling) || '|'
            || strftime(f.billing_month, '%Y-%m') as fee_key,
        l.file_load
    from versions f
    left join assigned a on a.name_key = f.estate_name_key
    left join ({{ property_fee_file_loads() }}) l using (_file_sha)
)
select
    fee_key,
    estate_code,
    dwelling_key,
    property_company,
    estate_name,
    dwelling,
    billing_month,
    amount_due,
    amount_waived,
    amount_due - amount_waived as amount_net_due,
    amount_received,
    received_date,
    count(*) over (partition by fee_key) as versions_seen,
    _as_of as version_as_of,
    file_load as version_load,
    _file_sha,
    _row_number
from keyed
qualify row_number() over (partition by fee_key order by {{ newest_version_order() }}) = 1
