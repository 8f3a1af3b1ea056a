"""`anju drill hostile|crash|concurrency`: the pipeline under hostile files, SIGKILLs and readers during a refresh."""
