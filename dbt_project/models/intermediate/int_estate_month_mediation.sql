-- 矛盾调解成功率 per estate and month: disputes (是否矛盾纠纷 = 是) with 工单状态 已办结 and 办结时间 in W3
-- (00:00 of the 1st of M−2 to month end), 重复件 excluded by the status; share 调解成功.
select
    e.month,
    e.estate_code,
    count(w.order_no) as disputes_closed_w3,
    count(w.order_no) filter (where w.mediation_result = '调解成功') as disputes_mediated_w3,
    count(w.order_no) filter (where w.mediation_result = '调解成功') / nullif(count(w.order_no), 0) as mediation_rate
from {{ ref('int_estate_months') }} e
join {{ ref('int_months') }} m using (month)
left join {{ ref('int_work_order') }} w
       on w.estate_code = e.estate_code
      and w.is_dispute
      and w.status = '已办结'
      and w.closed_at >= cast(m.w3_start as timestamp)
      and w.closed_at <= m.month_end
group by e.month, e.estate_code
