-- 物业费: the newest version of each key (estate by register code, dwelling by canonical parts,
-- billing month), assigned to estate and dwelling. Unassigned rows keep their written name as key.
-- Incremental by fee key: only the keys that newly loaded files touch are chosen again
-- (macros/ledger.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_fee_keys() }}",
    post_hook=["{{ record_fee_loads() }}", "{{ record_assignment(ref('stg_property_fee_versions')) }}"]
) }}
with versions as (
    select *
    from {{ ref('int_property_fee_versions') }} f
    {% if is_incremental() %}
    -- The keys the pre-hook left missing lie in the billing months of newly loaded files or in
    -- months missing altogether; rows that may have no key (no month, name or dwelling) are all read.
    where (f.billing_month is null or f.estate_name_key is null or f.dwelling is null
           {% if has_recorded_fee_loads() %}
           or f.billing_month in (select billing_month from {{ ref('stg_property_fee_versions') }}
                                  where _file_sha in ({{ property_fee_newly_loaded_files() }}))
           {% endif %}
           or f.billing_month not in (select billing_month from {{ this }} where billing_month is not null))
      and (f.fee_key is null or not exists (select 1 from {{ this }} t where t.fee_key = f.fee_key))
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
