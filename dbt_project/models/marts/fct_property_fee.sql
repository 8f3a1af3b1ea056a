-- 物业费, one row per estate + dwelling + 计费月份 in its newest version.
-- A view: int_property_fee plus the district; publication copies it into a table, so storing it
-- here too would only write its 1.7 million city rows twice.
{{ config(materialized='view') }}
select
    f.fee_key,
    f.estate_code,
    e.district_code,
    f.dwelling_key,
    f.property_company,
    f.billing_month,
    f.amount_due,
    f.amount_waived,
    f.amount_net_due,
    f.amount_received,
    f.received_date,
    f.versions_seen,
    f.version_as_of,
    f._file_sha,
    f._row_number
from {{ ref('int_property_fee') }} f
left join {{ ref('int_estates') }} e using (estate_code)
