-- 居民满意度测评 responses, one row per 测评月份 + 问卷编号 in its newest version (respondent pseudonymous).
select
    s.survey_month,
    s.questionnaire_no,
    s.estate_code,
    e.district_code,
    s.building,
    s.respondent_key,
    s.overall_satisfaction,
    s.satisfaction_score,
    s.is_satisfied,
    s.property_service_score,
    s.version_as_of,
    s._file_sha,
    s._row_number
from {{ ref('int_satisfaction') }} s
left join {{ ref('int_estates') }} e using (estate_code)
