"""Writes for plans (issue 10)."""
