"""Template tags of the KAM web interface."""
