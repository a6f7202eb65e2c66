"""The sales ledger: one row per sold or returned product line, and its monthly roll-up."""
