"""Bringing ERP history in: clients, products, sales, open items and payments from CSV or XLSX,
all or nothing."""
