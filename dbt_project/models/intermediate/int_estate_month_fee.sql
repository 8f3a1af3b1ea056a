-- 物业费收缴率 per estate and month: over 计费月份 in W12, Σ 实收金额 with 收款日期 ≤ month end
-- ÷ Σ (应收金额 − 减免金额).
with fees as (
    -- Summed per billing month and month received first, so that each month's W12 joins a few rows
    -- per estate rather than every fee row 12 times (收款日期 ≤ month end ⇔ its month ≤ M).
    select estate_code, billing_month, cast(date_trunc('month', received_date) as date) as received_month,
           sum(amount_received) as amount_received, sum(amount_net_due) as amount_net_due
    from {{ ref('int_property_fee') }}
    where estate_code is not null
    group by all
),
windowed as (
    select
        m.month,
        f.estate_code,
        sum(f.amount_received) filter (where f.received_month <= m.month) as amount_received,
        sum(f.amount_net_due) as amount_net_due
    from {{ ref('int_months') }} m
    join fees f on f.billing_month between m.w12_start and m.month
    group by m.month, f.estate_code
)
select
    e.month,
    e.estate_code,
    coalesce(f.amount_received, 0) as fee_amount_received,
    coalesce(f.amount_net_due, 0) as fee_amount_net_due,
    cast(coalesce(f.amount_received, 0) as double) / nullif(cast(f.amount_net_due as double), 0) as fee_collection_rate
from {{ ref('int_estate_months') }} e
left join windowed f using (month, estate_code)
