-- 维修资金归集率 per estate and month (cumulative):
--   paid = Σ 实缴金额 of the estate's deposit rows with 缴存日期 ≤ month end, reversals (negative) included;
--   due  = Σ 应缴金额 of obligations (应缴金额 > 0) due by month end: a 首期归集 when its dwelling's
--          交付日期 in the 房源台账 snapshot for M is on or before month end; a 续筹 from the export date
--          of the first file that carried it. Where M's file holds no loaded row of the dwelling (its
--          row was rejected, names an estate the register does not hold, or is missing), the newest
--          earlier snapshot row that does is read, not 'not due': a delivery, once stated, stays a fact.
-- and the headline 维修资金使用: Σ 使用金额 of the estate's 维修资金使用公示 rows with 拨付日期 in W12.
with paid as (
    -- Summed per month of 缴存日期 first, then cumulated (缴存日期 ≤ month end ⇔ its month ≤ M).
    select m.month, d.estate_code, sum(d.amount_paid) as amount_paid
    from {{ ref('int_months') }} m
    join (select estate_code, cast(date_trunc('month', paid_date) as date) as paid_month, sum(amount_paid) as amount_paid
          from {{ ref('int_fund_deposit') }}
          where estate_code is not null
          group by all) d on d.paid_month <= m.month
    group by m.month, d.estate_code
),
first_due as (
    -- the dwelling's 交付日期 as the 房源台账 snapshot for M states it; where M's file holds no loaded
    -- row of the dwelling, the newest earlier snapshot that does (ASOF join)
    select m.month, d.estate_code, sum(d.amount_due) as amount_due
    from {{ ref('int_months') }} m
    cross join {{ ref('int_fund_deposit') }} d
    asof join {{ ref('int_dwelling_versions') }} v
           on v.dwelling_key = d.dwelling_key and v.as_of <= m.month_last_day
    where d.deposit_type = '首期归集' and d.amount_due > 0
      and v.delivery_date <= m.month_last_day
    group by m.month, d.estate_code
),
topup_due as (
    select m.month, d.estate_code, sum(d.amount_due) as amount_due
    from {{ ref('int_months') }} m
    join (select estate_code, cast(date_trunc('month', first_export_date) as date) as first_export_month,
                 sum(amount_due) as amount_due
          from {{ ref('int_fund_deposit') }}
          where deposit_type = '续筹' and amount_due > 0 and estate_code is not null
          group by all) d on d.first_export_month <= m.month
    group by m.month, d.estate_code
),
used as (
    select m.month, f.estate_code, sum(f.amount) as fund_expenditure_w12
    from {{ ref('int_months') }} m
    join {{ ref('int_fund_expenditure') }} f on f.disbursed_date between m.w12_start and m.month_last_day
    where f.estate_code is not null
    group by m.month, f.estate_code
)
select
    e.month,
    e.estate_code,
    coalesce(p.amount_paid, 0) as fund_amount_paid,
    coalesce(f.amount_due, 0) + coalesce(t.amount_due, 0) as fund_amount_due,
    cast(coalesce(p.amount_paid, 0) as double)
        / nullif(cast(coalesce(f.amount_due, 0) + coalesce(t.amount_due, 0) as double), 0) as fund_collection_rate,
    coalesce(u.fund_expenditure_w12, 0) as fund_expenditure_w12
from {{ ref('int_estate_months') }} e
left join paid p using (month, estate_code)
left join first_due f using (month, estate_code)
left join topup_due t using (month, estate_code)
left join used u using (month, estate_code)
