"""The demo company: a deterministic, realistic data set for trying KAM."""
