-- Rejected rows per file and rule (a row breaking two rules counts under both; rows = distinct rows).
select
    f.source,
    d.department_name,
    r.file_sha,
    r.file_name,
    r.kind,
    r.rule,
    count(distinct r.row_number) as rows
from {{ source('quality', 'rejects') }} r
left join {{ source('quality', 'files') }} f using (file_sha)
left join {{ ref('departments') }} d on d.source = f.source
group by all
