-- Grade consistent with the rounded total; rank = 1 + estates of the district with a strictly higher
-- total (ties 1, 1, 3); 红榜 only 优秀 with rank ≤ 3; 黑榜 only 不合格 with fewer than three strictly lower.
with s as (select * from {{ ref('community_scorecard') }}),
checked as (
    select
        s.*,
        case when total_score >= 80 then '优秀' when total_score >= 60 then '合格' when total_score is not null then '不合格' end as expected_grade,
        (select 1 + count(*) from s o where o.month = s.month and o.district_code = s.district_code and o.total_score > s.total_score) as expected_rank,
        (select count(*) from s o where o.month = s.month and o.district_code = s.district_code and o.total_score < s.total_score) as strictly_lower
    from s
)
select *
from checked
where grade is distinct from expected_grade
   or (total_score is not null and district_rank is distinct from expected_rank)
   or (total_score is null and district_rank is not null)
   or (list_flag = '红榜' and not (grade = '优秀' and district_rank <= 3))
   or (list_flag = '黑榜' and not (grade = '不合格' and strictly_lower < 3))
   or (list_flag is null and ((grade = '优秀' and district_rank <= 3) or (grade = '不合格' and strictly_lower < 3)))
