"""Bringing ERP history in: clients, products and sales from CSV or XLSX, all or nothing."""
