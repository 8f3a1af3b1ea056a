-- Indicator score = 100 × min(1, value ÷ target), null exactly where the value is null.
-- A check of community_scorecard in Dagster (this test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'community_scorecard'}}}) }}
with w as (select * from {{ ref('assessment_weights') }}),
long as (
    select s.month, s.estate_code, x.*
    from {{ ref('community_scorecard') }} s,
    lateral (values ('satisfaction', s.satisfaction_rate, s.satisfaction_score), ('mediation', s.mediation_rate, s.mediation_score),
                    ('fund_collection', s.fund_collection_rate, s.fund_collection_score), ('fee_collection', s.fee_collection_rate, s.fee_collection_score),
                    ('participation', s.participation_rate, s.participation_score), ('service', s.service_rate, s.service_score)) x(indicator, value, score)
)
select l.*, w.target
from long l
join w on w.year = year(l.month) and w.indicator = l.indicator
where (l.value is null) <> (l.score is null)
   or abs(l.score - 100 * least(1.0, l.value / w.target)) > 1e-9
