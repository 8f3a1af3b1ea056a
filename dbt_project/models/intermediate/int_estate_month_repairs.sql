-- 报修修复时长 per estate and month: median hours from 报修时间 to 完成时间 of 报修工单 completed in W3
-- (an even count takes the mean of the two middle values). Null when none.
select
    e.month,
    e.estate_code,
    count(r.repair_no) as repairs_completed_w3,
    median(r.repair_hours) as repair_median_hours
from {{ ref('int_estate_months') }} e
join {{ ref('int_months') }} m using (month)
left join {{ ref('int_repair_order') }} r
       on r.estate_code = e.estate_code
      and r.completed_at >= cast(m.w3_start as timestamp)
      and r.completed_at <= m.month_end
group by e.month, e.estate_code
