"""Writes of the pricing app (filled in by issue 9)."""
