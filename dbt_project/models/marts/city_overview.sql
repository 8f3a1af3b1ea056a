-- Headline figures per assessment month: one row for the city (district_code null, 全市) and one per
-- district. Figures count only rows assigned to an estate of the register snapshot for M, except the
-- 12345 response/closure/callback rates, which go by 所属区县 with unmatched orders included.
-- INDICATORS.md states that for 投诉响应及时率 and 办结率; 回访满意率 is read the same way: it is the
-- hotline's figure on the same orders (the 已办结 ones), and an order's 所属区县 is known even where
-- its 事发地址 names no estate.
with districts as (
    select distinct month, district_code, district_name from {{ ref('int_estate_months') }}
),
scopes as (
    -- every district of M, and the city
    select month, district_code, district_name from districts
    union all
    select month, null, '全市' from {{ ref('int_months') }}
),
estate_rows as (
    select
        s.*,
        t.dwellings,
        t.certificate_backlog,
        t.legacy_title_problems,
        t.resale_eligible_dwellings,
        p.residents_aged_60_plus,
        p.special_dibao, p.special_disabled, p.special_elderly_alone, p.special_unemployed, p.special_left_behind_children,
        d.has_owners_committee,
        svc.primary_school_1km
    from {{ ref('community_scorecard') }} s
    left join {{ ref('int_estate_month_titles') }} t using (month, estate_code)
    left join {{ ref('int_estate_month_people') }} p using (month, estate_code)
    left join {{ ref('dim_estate_month') }} d using (month, estate_code)
    left join {{ ref('int_estate_month_services') }} svc using (month, estate_code)
),
estate_figures as (
    select
        sc.month,
        sc.district_code,
        count(e.estate_code) as estates,
        coalesce(sum(e.dwellings), 0) as dwellings,
        coalesce(sum(e.residents_on_roll), 0) as residents_on_roll,
        coalesce(sum(e.households_on_roll), 0) as households_on_roll,
        sum(e.residents_aged_60_plus) / nullif(sum(e.residents_on_roll), 0) as aged_60_plus_share,
        avg(e.total_score) as avg_total_score,
        count(*) filter (where e.grade = '优秀') as excellent_estates,
        count(*) filter (where e.grade = '不合格') as failing_estates,
        count(*) filter (where e.list_flag = '红榜') as red_list_count,
        count(*) filter (where e.list_flag = '黑榜') as black_list_count,
        cast(sum(e.fund_amount_paid) as double) / nullif(cast(sum(e.fund_amount_due) as double), 0) as fund_collection_rate,
        cast(sum(e.fee_amount_received) as double) / nullif(cast(sum(e.fee_amount_net_due) as double), 0) as fee_collection_rate,
        coalesce(sum(e.certificate_backlog), 0) as certificate_backlog,
        coalesce(sum(e.legacy_title_problems), 0) as legacy_title_problems,
        coalesce(sum(e.resale_eligible_dwellings), 0) as resale_eligible_dwellings,
        count(*) filter (where e.has_owners_committee) / nullif(count(e.estate_code), 0) as owners_committee_rate,
        coalesce(sum(e.special_dibao), 0) as special_dibao,
        coalesce(sum(e.special_disabled), 0) as special_disabled,
        coalesce(sum(e.special_elderly_alone), 0) as special_elderly_alone,
        coalesce(sum(e.special_unemployed), 0) as special_unemployed,
        coalesce(sum(e.special_left_behind_children), 0) as special_left_behind_children,
        coalesce(sum(e.fund_expenditure_w12), 0) as fund_expenditure_w12,
        count(*) filter (where not e.primary_school_1km) as estates_without_school_1km
    from scopes sc
    left join estate_rows e
           on e.month = sc.month and (sc.district_code is null or e.district_code = sc.district_code)
    group by sc.month, sc.district_code
),
certificates as (
    -- 产权登记时长 over the dwellings (not a mean of estate medians)
    select
        sc.month,
        sc.district_code,
        median(r.days_to_certificate) filter (where r.certificate_issued_w12 and r.delivery_date is not null) as certificate_median_days,
        avg(r.days_to_certificate) filter (where r.certificate_issued_w12 and r.delivery_date is not null) as certificate_mean_days
    from scopes sc
    join {{ ref('fct_property_registration') }} r
      on r.month = sc.month and (sc.district_code is null or r.district_code = sc.district_code)
    join {{ ref('int_estate_months') }} em on em.month = r.month and em.estate_code = r.estate_code
    group by sc.month, sc.district_code
),
orders as (
    -- 投诉响应及时率 / 办结率: dispatched in M, 重复件 excluded, by 所属区县 (unmatched included)
    select
        sc.month,
        sc.district_code,
        count(w.order_no) as orders_dispatched,
        count(w.order_no) filter (where w.responded_within_24h) / nullif(count(w.order_no), 0) as complaint_response_rate,
        count(w.order_no) filter (where w.status = '已办结' and w.closed_at <= m.month_end)
            / nullif(count(w.order_no), 0) as complaint_closure_rate
    from scopes sc
    join {{ ref('int_months') }} m using (month)
    left join {{ ref('int_work_order') }} w
           on w.dispatched_at >= cast(m.month as timestamp) and w.dispatched_at <= m.month_end
          and w.status <> '重复件'
          and (sc.district_code is null or w.reported_district_code = sc.district_code)
    group by sc.month, sc.district_code
),
callbacks as (
    -- 回访满意率: 已办结 with 办结时间 in M and a 回访结果 other than blank / 未回访
    select
        sc.month,
        sc.district_code,
        count(w.order_no) filter (where w.callback_result in ('满意', '基本满意')) / nullif(count(w.order_no), 0)
            as callback_satisfaction_rate
    from scopes sc
    join {{ ref('int_months') }} m using (month)
    left join {{ ref('int_work_order') }} w
           on w.status = '已办结' and w.closed_at >= cast(m.month as timestamp) and w.closed_at <= m.month_end
          and w.callback_result is not null and w.callback_result <> '未回访'
          and (sc.district_code is null or w.reported_district_code = sc.district_code)
    group by sc.month, sc.district_code
),
complaint_types as (
    -- complaints called in M (重复件 excluded), assigned to an estate of M, by 诉求类型
    select
        sc.month,
        sc.district_code,
        count(w.order_no) as complaints,
        count(w.order_no) filter (where w.complaint_type = '邻里纠纷') as complaints_neighbour_dispute,
        count(w.order_no) filter (where w.complaint_type = '物业服务') as complaints_property_service,
        count(w.order_no) filter (where w.complaint_type = '公共空间') as complaints_public_space,
        count(w.order_no) filter (where w.complaint_type = '设施报修') as complaints_facility_repair,
        count(w.order_no) filter (where w.complaint_type = '政策咨询') as complaints_policy_enquiry,
        count(w.order_no) filter (where w.complaint_type = '其他') as complaints_other
    from scopes sc
    join {{ ref('int_months') }} m using (month)
    left join (
        select w.*, em.month as estate_month, em.district_code as estate_district_code
        from {{ ref('int_work_order') }} w
        join {{ ref('int_estate_months') }} em on em.estate_code = w.estate_code
        where w.status <> '重复件'
    ) w on w.estate_month = sc.month
       and w.called_at >= cast(m.month as timestamp) and w.called_at <= m.month_end
       and (sc.district_code is null or w.estate_district_code = sc.district_code)
    group by sc.month, sc.district_code
)
select
    sc.month,
    sc.district_code,
    sc.district_name,
    f.estates,
    f.dwellings,
    f.residents_on_roll,
    f.households_on_roll,
    f.aged_60_plus_share,
    f.avg_total_score,
    f.excellent_estates,
    f.failing_estates,
    f.red_list_count,
    f.black_list_count,
    f.fund_collection_rate,
    f.fee_collection_rate,
    o.orders_dispatched,
    o.complaint_response_rate,
    o.complaint_closure_rate,
    cb.callback_satisfaction_rate,
    c.certificate_median_days,
    c.certificate_mean_days,
    f.certificate_backlog,
    f.legacy_title_problems,
    f.resale_eligible_dwellings,
    f.owners_committee_rate,
    f.special_dibao,
    f.special_disabled,
    f.special_elderly_alone,
    f.special_unemployed,
    f.special_left_behind_children,
    f.fund_expenditure_w12,
    ct.complaints,
    ct.complaints_neighbour_dispute,
    ct.complaints_property_service,
    ct.complaints_public_space,
    ct.complaints_facility_repair,
    ct.complaints_policy_enquiry,
    ct.complaints_other,
    f.estates_without_school_1km
from scopes sc
left join estate_figures f on f.month = sc.month and f.district_code is not distinct from sc.district_code
left join certificates c on c.month = sc.month and c.district_code is not distinct from sc.district_code
left join orders o on o.month = sc.month and o.district_code is not distinct from sc.district_code
left join callbacks cb on cb.month = sc.month and cb.district_code is not distinct from sc.district_code
left join complaint_types ct on ct.month = sc.month and ct.district_code is not distinct from sc.district_code
