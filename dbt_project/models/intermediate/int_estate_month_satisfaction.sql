-- 居民满意度 per estate and month: responses with 测评月份 in W3 (M−2..M), share 非常满意/满意.
-- No responses → null (a zero denominator is "no data").
select
    e.month,
    e.estate_code,
    count(s.questionnaire_no) as responses_w3,
    count(s.questionnaire_no) filter (where s.is_satisfied) as satisfied_w3,
    count(s.questionnaire_no) filter (where s.is_satisfied) / nullif(count(s.questionnaire_no), 0) as satisfaction_rate
from {{ ref('int_estate_months') }} e
join {{ ref('int_months') }} m using (month)
left join {{ ref('int_satisfaction') }} s
       on s.estate_code = e.estate_code
      and s.survey_month between m.w3_start and m.month
group by e.month, e.estate_code
