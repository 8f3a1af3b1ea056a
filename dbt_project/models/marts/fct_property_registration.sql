-- Property registration per dwelling and assessment month, from the 房源台账 snapshot for M: delivery,
-- application and certificate dates, days to certificate, backlog and resale eligibility at M.
-- Incremental by month: a month is built again only when what it is built from changed
-- (macros/month_inputs.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_months_with_new_inputs(ref('int_dwellings_by_month')) }}",
    post_hook="{{ record_month_inputs(ref('int_dwellings_by_month')) }}"
) }}
select
    d.month,
    d.dwelling_key,
    d.estate_code,
    e.district_code,
    d.allocation_status,
    d.delivery_date,
    d.registration_date,
    d.certificate_date,
    date_diff('day', d.delivery_date, d.certificate_date) as days_to_certificate,
    d.certificate_date between m.w12_start and m.month_last_day as certificate_issued_w12,
    d.allocation_status = '已分配' and d.certificate_date is null
        and date_diff('day', d.delivery_date, m.month_last_day) > 90 as in_certificate_backlog,
    d.title_problem,
    d.title_problem is not null and d.certificate_date is null as is_legacy_title_problem,
    d.resale_restriction_years,
    d.resale_eligible_date,
    coalesce(d.resale_eligible_date <= m.month_last_day, false) as is_resale_eligible,
    d.register_as_of
from {{ ref('int_dwellings_by_month') }} d
join {{ ref('int_months') }} m using (month)
left join {{ ref('int_estates') }} e using (estate_code)
where d.dwelling_key is not null
{% if is_incremental() %}
  and d.month not in (select month from {{ this }})
{% endif %}
qualify row_number() over (partition by d.month, d.dwelling_key order by d._row_number desc) = 1
