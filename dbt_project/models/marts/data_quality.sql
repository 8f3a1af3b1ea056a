-- Per source department and file: what arrived, what loaded, what was rejected or skipped, rows whose
-- estate cannot be assigned, and freshness. Same bytes delivered again appear as status 'duplicate'.
with files as (
    select
        f.source,
        f.file_sha,
        f.file_name,
        f.kind,
        f.kind_label,
        f.mode,
        f.format,
        f.status,
        f.reason,
        f.rows_read,
        f.rows_loaded,
        f.rows_rejected,
        f.rows_skipped,
        f.warnings,
        f.as_of,
        f.as_of_from,
        date_trunc('second', f.arrived_at) as arrived_at  -- kept to the microsecond for ordering; shown to the second
    from {{ source('quality', 'files') }} f
),
duplicates as (
    -- a later sighting of bytes already received under another name
    select
        a.source,
        a.file_sha,
        a.file_name,
        f.kind,
        f.kind_label,
        f.mode,
        f.format,
        'duplicate' as status,
        'same bytes as ' || f.file_name as reason,
        0 as rows_read, 0 as rows_loaded, 0 as rows_rejected, 0 as rows_skipped, 0 as warnings,
        f.as_of,
        f.as_of_from,
        a.mtime as arrived_at
    from {{ source('quality', 'arrivals') }} a
    join files f using (file_sha)
    where a.outcome = 'duplicate' and a.file_name <> f.file_name
    qualify row_number() over (partition by a.file_sha, a.file_name order by a.seen_at) = 1
),
all_files as (
    select * from files
    union all by name
    select * from duplicates
)
select
    a.source,
    d.department_name,
    a.file_name,
    a.file_sha,
    a.kind,
    a.kind_label,
    a.mode,
    a.format,
    a.status,
    a.reason,
    coalesce(a.rows_read, 0) as rows_read,
    coalesce(a.rows_loaded, 0) as rows_loaded,
    coalesce(a.rows_rejected, 0) as rows_rejected,
    coalesce(a.rows_skipped, 0) as rows_skipped,
    coalesce(a.warnings, 0) as warnings,
    case when a.status = 'loaded' then coalesce(u.unmatched_rows, 0) else 0 end as unmatched_rows,
    cast(a.as_of as date) as as_of,
    a.as_of_from,
    a.arrived_at,
    date_diff('day', cast(a.arrived_at as date), current_date) as days_since_arrival
from all_files a
left join {{ ref('departments') }} d using (source)
left join {{ ref('int_unmatched_by_file') }} u on u.file_sha = a.file_sha and a.status = 'loaded'
