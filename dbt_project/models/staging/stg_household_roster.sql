-- The roster's current version: one row per person as listed (personal data stays in the work database).
select * exclude (name, phone, arrived_at)
from ({{ current_snapshot(ref('stg_household_roster_versions')) }})
