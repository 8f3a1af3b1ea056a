-- Rows that loaded but whose estate cannot be assigned, per file (every version of every kind):
-- counted as unmatched for their source, never dropped.
{% set by_name = ['household_roster', 'dwelling_register', 'fund_deposit', 'property_fee', 'fund_expenditure',
                  'facility_register', 'repair_order', 'nearby_service', 'satisfaction_survey', 'participation'] %}
{% for kind in by_name %}
{{ 'with' if loop.first else ',' }} assigned_{{ kind }} as ({{ assign_estate(source('raw', kind), 'estate_name_key') }})
{% endfor %}
, assigned_work_order as ({{ assign_estate_in_text(source('raw', 'work_order'), 'address') }}),
row_matches as (
    {% for kind in by_name %}
    select '{{ kind }}' as kind, r._file_sha, a.estate_code is not null as matched
    from {{ source('raw', kind) }} r
    left join assigned_{{ kind }} a on a.name_key = r.estate_name_key
    union all
    {% endfor %}
    select 'work_order' as kind, r._file_sha, a.estate_code is not null as matched
    from {{ source('raw', 'work_order') }} r
    left join assigned_work_order a on a.text = r.address
    union all
    -- the register itself: every row carries its own 小区编码
    select 'community_register' as kind, _file_sha, true as matched
    from {{ source('raw', 'community_register') }}
)
select
    _file_sha as file_sha,
    kind,
    count(*) as rows_in_warehouse,
    count(*) filter (where not matched) as unmatched_rows
from row_matches
group by _file_sha, kind
