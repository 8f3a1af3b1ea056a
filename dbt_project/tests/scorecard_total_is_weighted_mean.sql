-- INDICATORS.md: total = Σ weight × score ÷ Σ weight over the non-null indicators, half-up to 0.1,
-- with the weights of the assessment month's year (seed assessment_weights). Recomputed independently.
-- A check of community_scorecard in Dagster (this test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'community_scorecard'}}}) }}
with w as (select * from {{ ref('assessment_weights') }}),
long as (
    select s.month, s.estate_code, s.total_score, x.indicator, x.score
    from {{ ref('community_scorecard') }} s,
    lateral (values ('satisfaction', s.satisfaction_score), ('mediation', s.mediation_score),
                    ('fund_collection', s.fund_collection_score), ('fee_collection', s.fee_collection_score),
                    ('participation', s.participation_score), ('service', s.service_score)) x(indicator, score)
),
recomputed as (
    select l.month, l.estate_code, any_value(l.total_score) as total_score,
           sum(w.weight * l.score) filter (where l.score is not null)
             / nullif(sum(w.weight) filter (where l.score is not null), 0) as expected
    from long l
    join w on w.year = year(l.month) and w.indicator = l.indicator
    group by l.month, l.estate_code
)
select *
from recomputed
where (expected is null) <> (total_score is null)
   or abs(expected - total_score) > 0.05 + 1e-9
