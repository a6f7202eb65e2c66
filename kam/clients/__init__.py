"""Client accounts (existing and potential) and their contact people."""
