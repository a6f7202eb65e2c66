"""Radar data for the demo company (wallet estimates, reference cases, partner disclosures...).

Called by kam.demo once clients, people and sales exist. Filled in by the radar app.
"""


def populate_radar_demo(*, rng, accounts, people, today) -> None:
    """Record the demo's manual key-client evidence. ``accounts``: list of Account;
    ``people``: dict username -> User; ``today``: the demo's as-of date."""
    return None
