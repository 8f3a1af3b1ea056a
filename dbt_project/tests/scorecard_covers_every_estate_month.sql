-- One scorecard row per estate of the register snapshot for M and month, for every month covered;
-- n_indicator/n_value follow the estate type (null for 一般).
-- A check of community_scorecard in Dagster (this test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'community_scorecard'}}}) }}
select e.month, e.estate_code, 'missing row' as problem
from {{ ref('int_estate_months') }} e
left join {{ ref('community_scorecard') }} s using (month, estate_code)
where s.estate_code is null
union all
select month, estate_code, 'N indicator inconsistent with type'
from {{ ref('community_scorecard') }}
where (estate_type = '一般') <> (n_indicator is null)
   or (estate_type = '一般' and n_value is not null)
