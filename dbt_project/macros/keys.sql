{# Pseudonymous resident key of an ID column: ingest writes `<col>_key`, a keyed HMAC of the normalised ID (key in ANJU_HOME). #}
{% macro resident_key(relation, column) -%}
    {{ column }}_key
{%- endmacro %}

{# One dwelling key across departments: 小区编码 + 楼栋 + 单元 + 房号 (canonical parts). Null when any part is missing. #}
{% macro dwelling_key(estate_code, building, entrance, room) -%}
    case when {{ estate_code }} is not null and {{ building }} is not null
              and {{ entrance }} is not null and {{ room }} is not null
         then {{ estate_code }} || '-' || {{ building }} || '-' || {{ entrance }} || '-' || {{ room }} end
{%- endmacro %}

{# An estate name key's base: the key without a trailing word for resettlement housing (var estate_generic_suffix); the key itself when there is none. #}
{% macro estate_base_key(expr) -%}
    regexp_replace({{ expr }}, '{{ var("estate_generic_suffix") }}', '\1')
{%- endmacro %}

{# Whether `name_key` is `registered_key` with a city, district or street name in front (var estate_admin_prefix). #}
{% macro after_admin_prefix(name_key, registered_key) -%}
    (suffix({{ name_key }}, {{ registered_key }})
     and regexp_full_match(left({{ name_key }}, length({{ name_key }}) - length({{ registered_key }})), '{{ var("estate_admin_prefix") }}'))
{%- endmacro %}

{# `text_key` without the places where `key` is followed by a road word (var address_road_words): 幸福街道, 安康路. #}
{% macro without_roads(text_key, key) -%}
    {%- set ns = namespace(sql=text_key) -%}
    {%- for word in var("address_road_words") -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", " ~ key ~ " || '" ~ word ~ "', '')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{# `key` without a leading `prefix`, where at least two characters remain. #}
{% macro without_prefix(key, prefix) -%}
    case when starts_with({{ key }}, {{ prefix }}) and length({{ key }}) > length({{ prefix }}) + 1
         then substr({{ key }}, length({{ prefix }}) + 1) else {{ key }} end
{%- endmacro %}

{#
  The estate-name match key of free text, in SQL (mirrors ingest's estate_name_key): no spaces or
  brackets, latin upper-case, phases written `N期` (一期/第一期 → 1期). Used on 12345's 事发地址.
#}
{% macro text_name_key(expr) -%}
    {%- set numerals = [('二十', '20'), ('十九', '19'), ('十八', '18'), ('十七', '17'), ('十六', '16'),
                        ('十五', '15'), ('十四', '14'), ('十三', '13'), ('十二', '12'), ('十一', '11'),
                        ('十', '10'), ('九', '9'), ('八', '8'), ('七', '7'), ('六', '6'), ('五', '5'),
                        ('四', '4'), ('三', '3'), ('二', '2'), ('一', '1')] -%}
    {%- set ns = namespace(sql="regexp_replace(regexp_replace(upper(" ~ expr ~ "), '\\s|\\x{a0}|\\x{3000}', '', 'g'), '[()\\[\\]{}<>【】〔〕〖〗《》「」『』（）]', '', 'g')") -%}
    {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", '第([0-9一二三四五六七八九十]+期)', '\\1', 'g')" -%}
    {%- for cn, n in numerals -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ cn ~ "期', '" ~ n ~ "期')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{# Round half-up to one decimal, deciding on the value's shortest decimal form (not on binary noise). #}
{% macro round_half_up_1(expr) -%}
    round(cast(cast({{ expr }} as decimal(18, 9)) as decimal(18, 9)), 1)
{%- endmacro %}
