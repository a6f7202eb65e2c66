"""pay models (issue 10)."""
