-- 居民参与率 per estate and month: households on the roll with at least one member on the roll who
-- appears (linked) in 居民参与记录 with 活动日期 in W12 (an activity of any estate) ÷ households on the roll.
with participants as (
    select distinct m.month, p.resident_key
    from {{ ref('int_months') }} m
    join {{ ref('int_participation') }} p on p.activity_date between m.w12_start and m.month_last_day
    where p.resident_key is not null
),
households as (
    select
        r.month,
        r.estate_code,
        r.household_no,
        bool_or(p.resident_key is not null) as participated
    from {{ ref('int_roster_by_month') }} r
    left join participants p on p.month = r.month and p.resident_key = r.resident_key
    where r.on_roll and r.estate_code is not null
    group by r.month, r.estate_code, r.household_no
)
select
    e.month,
    e.estate_code,
    count(h.household_no) as households_on_roll,
    count(h.household_no) filter (where h.participated) as households_participating_w12,
    count(h.household_no) filter (where h.participated) / nullif(count(h.household_no), 0) as participation_rate
from {{ ref('int_estate_months') }} e
left join households h using (month, estate_code)
group by e.month, e.estate_code
