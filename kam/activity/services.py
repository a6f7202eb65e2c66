"""Writes (issue 11)."""
