-- The assessment months the data covers: from the month of the first 安置小区名录 snapshot to the
-- month of the newest file of any kind (capped at the newest register/roster as-of month, so that a
-- stray future-dated file cannot add empty months). Windows per INDICATORS.md.
with bounds as (
    select
        date_trunc('month', (select min(_as_of) from {{ source('raw', 'community_register') }})) as first_month,
        date_trunc('month', greatest(
            (select max(_as_of) from {{ source('raw', 'community_register') }}),
            (select max(_as_of) from {{ source('raw', 'household_roster') }}),
            (select max(_as_of) from {{ source('raw', 'dwelling_register') }})
        )) as last_month
),
months as (
    select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month
    from bounds
)
select
    month,
    cast(year(month) as integer) as year,
    cast(last_day(month) as date) as month_last_day,
    -- month end is the last day, 23:59:59 (timestamps up to and including this second count)
    cast(last_day(month) as timestamp) + interval 86399 second as month_end,
    cast(month - interval 2 month as date) as w3_start,
    cast(month - interval 11 month as date) as w12_start,
    strftime(month, '%Y-%m') as month_label
from months
