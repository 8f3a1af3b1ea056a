-- Every name an estate is known by, in any version of the register (小区名称 and 曾用名), as match
-- keys → 小区编码. A key shared by two estates is ambiguous and dropped here (it assigns nothing).
with clean as (select distinct estate_code, name_key, name_source from ({{ registered_estate_keys() }}))
select estate_code, name_key, min(name_source) as name_source
from clean
where name_key in (select name_key from clean group by name_key having count(distinct estate_code) = 1)
group by estate_code, name_key
