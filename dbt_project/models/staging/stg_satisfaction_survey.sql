-- 居民满意度测评, newest version of each 测评月份 + 问卷编号. 总体满意度 arrives as its label (1–5 read as labels).
select
    survey_month,
    questionnaire_no,
    estate_name,
    estate_name_key,
    building,
    {{ resident_key(source('raw', 'satisfaction_survey'), 'respondent_id') }} as respondent_key,
    overall_satisfaction,
    case overall_satisfaction
        when '非常满意' then 5 when '满意' then 4 when '一般' then 3 when '不满意' then 2 when '非常不满意' then 1
    end as satisfaction_score,
    property_service_score,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from {{ source('raw', 'satisfaction_survey') }}
qualify row_number() over (partition by survey_month, questionnaire_no order by {{ newest_version_order() }}) = 1
