"""Writes of the contracts app (filled in by issue 9)."""
