"""Reads of the imports app: saved mappings (mappings.py) and runs (runs.py), user-scoped."""
