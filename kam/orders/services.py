"""Writes of the orders app (filled in by issue 9)."""
