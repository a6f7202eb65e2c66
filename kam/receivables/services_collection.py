"""Debt collection and ERP imports of settlements (issue 9; filled in by its parts)."""
