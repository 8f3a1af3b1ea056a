-- The published 1+N scorecard (INDICATORS.md, 数据标准): one row per estate of the register snapshot
-- for M and assessment month M.
--   score = 100 × min(1, value ÷ target); total = Σ weight × score ÷ Σ weight over the non-null
--   indicators, rounded half-up to 0.1 (grade, rank and lists use the rounded total);
--   (DuckDB's least() skips nulls, hence the explicit null guard on each score);
--   rank within the district, ties share the rank and the next is skipped (1, 1, 3).
with weights as (
    -- the seed's rows for each year, one column per indicator
    select
        year,
        max(weight) filter (where indicator = 'satisfaction') as w_satisfaction,
        max(target) filter (where indicator = 'satisfaction') as t_satisfaction,
        max(weight) filter (where indicator = 'mediation') as w_mediation,
        max(target) filter (where indicator = 'mediation') as t_mediation,
        max(weight) filter (where indicator = 'fund_collection') as w_fund_collection,
        max(target) filter (where indicator = 'fund_collection') as t_fund_collection,
        max(weight) filter (where indicator = 'fee_collection') as w_fee_collection,
        max(target) filter (where indicator = 'fee_collection') as t_fee_collection,
        max(weight) filter (where indicator = 'participation') as w_participation,
        max(target) filter (where indicator = 'participation') as t_participation,
        max(weight) filter (where indicator = 'service') as w_service,
        max(target) filter (where indicator = 'service') as t_service
    from {{ ref('assessment_weights') }}
    group by year
),
estate_values as (
    select
        e.month,
        m.year,
        e.district_code,
        e.district_name,
        e.street_code,
        e.street_name,
        e.estate_code,
        e.estate_name,
        sat.satisfaction_rate,
        med.mediation_rate,
        fund.fund_collection_rate,
        fee.fee_collection_rate,
        par.participation_rate,
        svc.service_rate,
        ppl.estate_type,
        svc.elderly_coverage,
        svc.facility_completeness,
        rep.repair_median_hours,
        ppl.residents_on_roll,
        ppl.households_on_roll,
        ppl.aged_60_plus_share,
        fund.fund_amount_paid,
        fund.fund_amount_due,
        fund.fund_expenditure_w12,
        fee.fee_amount_received,
        fee.fee_amount_net_due
    from {{ ref('int_estate_months') }} e
    join {{ ref('int_months') }} m using (month)
    left join {{ ref('int_estate_month_satisfaction') }} sat using (month, estate_code)
    left join {{ ref('int_estate_month_mediation') }} med using (month, estate_code)
    left join {{ ref('int_estate_month_fund') }} fund using (month, estate_code)
    left join {{ ref('int_estate_month_fee') }} fee using (month, estate_code)
    left join {{ ref('int_estate_month_participation') }} par using (month, estate_code)
    left join {{ ref('int_estate_month_services') }} svc using (month, estate_code)
    left join {{ ref('int_estate_month_people') }} ppl using (month, estate_code)
    left join {{ ref('int_estate_month_repairs') }} rep using (month, estate_code)
),
scored as (
    select
        v.*,
        w.*exclude (year),
        case when v.satisfaction_rate is not null then 100 * least(1.0, v.satisfaction_rate / w.t_satisfaction) end as satisfaction_score,
        case when v.mediation_rate is not null then 100 * least(1.0, v.mediation_rate / w.t_mediation) end as mediation_score,
        case when v.fund_collection_rate is not null then 100 * least(1.0, v.fund_collection_rate / w.t_fund_collection) end as fund_collection_score,
        case when v.fee_collection_rate is not null then 100 * least(1.0, v.fee_collection_rate / w.t_fee_collection) end as fee_collection_score,
        case when v.participation_rate is not null then 100 * least(1.0, v.participation_rate / w.t_participation) end as participation_score,
        case when v.service_rate is not null then 100 * least(1.0, v.service_rate / w.t_service) end as service_score
    from estate_values v
    left join weights w using (year)
),
totalled as (
    select
        *,
        -- weighted mean over the indicators that have a value (null score → weight left out)
        (  coalesce(w_satisfaction * satisfaction_score, 0) + coalesce(w_mediation * mediation_score, 0)
         + coalesce(w_fund_collection * fund_collection_score, 0) + coalesce(w_fee_collection * fee_collection_score, 0)
         + coalesce(w_participation * participation_score, 0) + coalesce(w_service * service_score, 0))
        / nullif(
           (case when satisfaction_score is not null then w_satisfaction else 0 end)
         + (case when mediation_score is not null then w_mediation else 0 end)
         + (case when fund_collection_score is not null then w_fund_collection else 0 end)
         + (case when fee_collection_score is not null then w_fee_collection else 0 end)
         + (case when participation_score is not null then w_participation else 0 end)
         + (case when service_score is not null then w_service else 0 end), 0) as total_unrounded
    from scored
),
graded as (
    select
        *,
        cast({{ round_half_up_1('total_unrounded') }} as decimal(4, 1)) as total_score
    from totalled
),
ranked as (
    select
        *,
        case
            when total_score >= 80 then '优秀'
            when total_score >= 60 then '合格'
            when total_score is not null then '不合格'
        end as grade,
        case when total_score is not null then
            cast(rank() over (partition by month, district_code order by total_score desc nulls last) as integer)
        end as district_rank,
        -- estates of the district with a strictly lower total (for the black list)
        count(total_score) over (partition by month, district_code order by total_score asc
                                 range between unbounded preceding and current row)
            - count(total_score) over (partition by month, district_code, total_score) as estates_strictly_lower
    from graded
)
select
    month,
    district_code,
    district_name,
    street_code,
    street_name,
    estate_code,
    estate_name,
    estate_type,
    satisfaction_rate,
    mediation_rate,
    fund_collection_rate,
    fee_collection_rate,
    participation_rate,
    service_rate,
    satisfaction_score,
    mediation_score,
    fund_collection_score,
    fee_collection_score,
    participation_score,
    service_score,
    total_score,
    grade,
    district_rank,
    case
        when grade = '优秀' and district_rank <= 3 then '红榜'
        when grade = '不合格' and estates_strictly_lower < 3 then '黑榜'
    end as list_flag,
    case estate_type when '老龄化' then '养老服务覆盖' when '新建' then '配套完备率' when '老旧' then '报修修复时长' end
        as n_indicator,
    cast(case estate_type
        when '老龄化' then elderly_coverage
        when '新建' then facility_completeness
        when '老旧' then repair_median_hours
    end as double) as n_value,
    residents_on_roll,
    households_on_roll,
    aged_60_plus_share,
    fund_amount_paid,
    fund_amount_due,
    fund_expenditure_w12,
    fee_amount_received,
    fee_amount_net_due,
    total_unrounded,
    year as assessment_year
from ranked
