-- 物业费: every version as sent with its estate, dwelling, fee key (小区编码 or the written name
-- key when unassigned | 楼栋-单元-房号 | 计费月份) and the file load that brought it.
-- A view: int_property_fee chooses from it and its pre-hook finds the keys a new file touches.
{{ config(materialized='view') }}
with assigned as ({{ assign_estate(ref('stg_property_fee_versions'), 'estate_name_key') }})
select
    f.*,
    a.estate_code,
    {{ dwelling_key('a.estate_code', 'f.dwelling_building', 'f.dwelling_entrance', 'f.dwelling_room') }} as dwelling_key,
    {{ fee_key('a.estate_code') }} as fee_key,
    l.file_load
from {{ ref('stg_property_fee_versions') }} f
left join assigned a on a.name_key = f.estate_name_key
left join ({{ property_fee_file_loads() }}) l using (_file_sha)
