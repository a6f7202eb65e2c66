"""The key-account radar: which clients are key, by which definition, and why (KC-1..KC-13)."""
