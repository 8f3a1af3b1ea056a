"""Anju's pipeline: ingest, contracts, warehouse build and publication, orchestrated by Dagster."""
