-- Property-title headline figures per estate and month, from the 房源台账 snapshot for M:
-- 产权登记时长 (days 交付日期 → 办证日期 of certificates issued in W12), 办证积压 (已分配, delivered more
-- than 90 days before month end — whole days, last day − 交付日期 > 90 — and no 办证日期), 历史遗留产权问题
-- (non-blank 产权问题, no 办证日期), 可上市交易 (办证日期 + 年限 on or before month end).
select
    d.month,
    d.estate_code,
    count(*) as dwellings,
    count(*) filter (where d.allocation_status = '已分配') as dwellings_allocated,
    count(*) filter (where d.certificate_date between m.w12_start and m.month_last_day and d.delivery_date is not null)
        as certificates_issued_w12,
    median(date_diff('day', d.delivery_date, d.certificate_date))
        filter (where d.certificate_date between m.w12_start and m.month_last_day and d.delivery_date is not null)
        as certificate_median_days,
    avg(date_diff('day', d.delivery_date, d.certificate_date))
        filter (where d.certificate_date between m.w12_start and m.month_last_day and d.delivery_date is not null)
        as certificate_mean_days,
    count(*) filter (where d.allocation_status = '已分配' and d.certificate_date is null
                       and date_diff('day', d.delivery_date, m.month_last_day) > 90) as certificate_backlog,
    count(*) filter (where d.title_problem is not null and d.certificate_date is null) as legacy_title_problems,
    count(*) filter (where d.resale_eligible_date <= m.month_last_day) as resale_eligible_dwellings
from {{ ref('int_dwellings_by_month') }} d
join {{ ref('int_months') }} m using (month)
where d.estate_code is not null
group by d.month, d.estate_code
