-- Rows whose estate cannot be assigned are kept and counted, never dropped: every loaded file's raw
-- rows equal its rows_loaded, and data_quality's unmatched counts equal the unassigned rows.
-- A check of data_quality in Dagster (this test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'data_quality'}}}) }}
select q.file_sha, q.rows_loaded, u.rows_in_warehouse
from {{ ref('data_quality') }} q
join {{ ref('int_unmatched_by_file') }} u using (file_sha)
where q.status = 'loaded'
  and (q.rows_loaded <> u.rows_in_warehouse or q.unmatched_rows <> u.unmatched_rows)
