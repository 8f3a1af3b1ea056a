"""Identity across departments: resident linkage (residents.py) and its benchmark (score.py)."""
