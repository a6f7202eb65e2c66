"""The web shell: login, navigation, home page, language switch, shared templates."""
