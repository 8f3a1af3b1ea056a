-- 居民参与记录, newest version of each event: 活动日期 + 活动名称 + 参与人身份证号码, or, when the ID is
-- blank, + 参与人 + 联系电话. Name and phone stay in the work database (linkage only).
with keyed as (
    select
        *,
        {{ resident_key(source('raw', 'participation'), 'participant_id') }} as participant_key
    from {{ source('raw', 'participation') }}
)
select
    activity_date,
    estate_name,
    estate_name_key,
    activity_type,
    activity_name,
    participant_name,
    participant_key,
    phone,
    phone is not null and not contains(phone, '*') as phone_usable,
    points,
    _as_of as as_of,
    _arrived_at as arrived_at,
    _file_sha,
    _row_number
from keyed
qualify row_number() over (
    partition by activity_date, activity_name,
                 coalesce(participant_key, 'name:' || participant_name || '|' || coalesce(phone, ''))
    order by {{ newest_version_order() }}
) = 1
