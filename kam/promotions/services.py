"""Writes (issue 10)."""
