"""The weekly schedule and the activity log (issue 11: AC-1..AC-3)."""
