"""KAM: key-account management for B2B sellers."""
