"""Shared foundations: base model, company settings, currencies, the audit log."""
