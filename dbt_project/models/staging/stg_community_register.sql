-- The estate register's current version. Two rows with one 小区编码 fail the unique test and stop publication:
-- an ambiguous register must be fixed at the source, not guessed.
select * exclude (arrived_at, _file_sha, _row_number)
from ({{ current_snapshot(ref('stg_community_register_versions')) }})
