-- Residents and households on the roll per estate and month (roster snapshot for M), the 60+ share,
-- the special-group counts, and the estate type of INDICATORS.md (first that applies:
-- 老龄化 ≥ 30% aged 60+, 新建 交付日期 later than month end minus 3 years, 老旧 M's year − 建成年份 ≥ 10).
with people as (
    select
        month,
        estate_code,
        count(*) as residents_on_roll,
        count(distinct household_no) as households_on_roll,
        count(*) filter (where aged_60_plus) as residents_aged_60_plus,
        count(*) filter (where is_dibao) as special_dibao,
        count(*) filter (where is_disabled) as special_disabled,
        count(*) filter (where is_elderly_alone) as special_elderly_alone,
        count(*) filter (where is_unemployed) as special_unemployed,
        count(*) filter (where is_left_behind_child) as special_left_behind_children
    from {{ ref('int_roster_by_month') }}
    where on_roll and estate_code is not null
    group by month, estate_code
),
measured as (
    select
        e.month,
        e.estate_code,
        coalesce(p.residents_on_roll, 0) as residents_on_roll,
        coalesce(p.households_on_roll, 0) as households_on_roll,
        coalesce(p.residents_aged_60_plus, 0) as residents_aged_60_plus,
        p.residents_aged_60_plus / nullif(p.residents_on_roll, 0) as aged_60_plus_share,
        coalesce(p.special_dibao, 0) as special_dibao,
        coalesce(p.special_disabled, 0) as special_disabled,
        coalesce(p.special_elderly_alone, 0) as special_elderly_alone,
        coalesce(p.special_unemployed, 0) as special_unemployed,
        coalesce(p.special_left_behind_children, 0) as special_left_behind_children,
        e.first_delivery_date > cast(m.month_last_day - interval 3 year as date) as is_new,
        m.year - e.built_year >= 10 as is_old
    from {{ ref('int_estate_months') }} e
    join {{ ref('int_months') }} m using (month)
    left join people p using (month, estate_code)
)
select
    *,
    case
        when coalesce(aged_60_plus_share >= 0.3, false) then '老龄化'
        when coalesce(is_new, false) then '新建'
        when coalesce(is_old, false) then '老旧'
        else '一般'
    end as estate_type
from measured
