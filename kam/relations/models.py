"""People behind a client: profiles, stages, the influence map, notes (issue 11: AC-4, AC-5, AC-7, AC-9)."""
