"""The organisation: departments, people and their roles, territories, deputies, API tokens."""
