-- 物业费: the newest version of each key (estate by register code, dwelling by canonical parts,
-- billing month), assigned to estate and dwelling. Unassigned rows keep their written name as key.
-- Incremental by fee key: only the keys that newly loaded files or reassigned names touch are
-- chosen again (macros/ledger.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ record_changed_fee_keys() }}", "{{ delete_changed_fee_keys() }}"],
    post_hook=["{{ record_fee_loads() }}", "{{ record_assignment(ref('stg_property_fee_versions')) }}"]
) }}
with versions as (
    select *
    from {{ ref('int_property_fee_versions') }} f
    {% if fee_changes_known() %}
    where {{ fee_key_changed('f') }}
    {% endif %}
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
from versions
qualify row_number() over (partition by fee_key order by {{ newest_version_order() }}) = 1
