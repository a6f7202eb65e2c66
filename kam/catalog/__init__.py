"""Products and their categories."""
