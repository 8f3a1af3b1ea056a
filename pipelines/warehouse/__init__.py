"""Building the warehouse with dbt and publishing its marts."""
