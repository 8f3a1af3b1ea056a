-- The dwelling register's current version, with the estate written as the department wrote it.
select * exclude (owner_key, arrived_at)
from ({{ current_snapshot(ref('stg_dwelling_register_versions')) }})
