"""Reads, scoped by user (issue 10)."""
