"""`anju bench`: the pipeline stage by stage against DuckDB's bare read of the same files (docs/benchmarks.md)."""
