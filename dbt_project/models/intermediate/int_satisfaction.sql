-- 居民满意度测评 responses (newest version), assigned to their estate; satisfied = 非常满意 or 满意 (5 or 4).
with assigned as ({{ assign_estate(ref('stg_satisfaction_survey'), 'estate_name_key') }})
select
    s.survey_month,
    s.questionnaire_no,
    a.estate_code,
    s.estate_name,
    s.building,
    s.respondent_key,
    s.overall_satisfaction,
    s.satisfaction_score,
    s.satisfaction_score >= 4 as is_satisfied,
    s.property_service_score,
    s.as_of as version_as_of,
    s._file_sha,
    s._row_number
from {{ ref('stg_satisfaction_survey') }} s
left join assigned a on a.name_key = s.estate_name_key
