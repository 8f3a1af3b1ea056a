-- 居民参与记录, one row per event in its newest version, linked to a resident key (by ID, or by exact
-- name + phone when the ID is blank; else unlinked). No name or phone.
select
    p.activity_date,
    p.activity_type,
    p.activity_name,
    p.estate_code,
    e.district_code,
    p.resident_key,
    p.has_id,
    p.link_method,
    p.points,
    p.version_as_of,
    p._file_sha,
    p._row_number
from {{ ref('int_participation') }} p
left join {{ ref('int_estates') }} e using (estate_code)
