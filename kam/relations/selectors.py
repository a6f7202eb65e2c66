"""Reads, scoped by user (issue 11)."""
