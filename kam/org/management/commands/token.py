"""``kam token create USERNAME [--name NAME]``: an API bearer token, shown once."""

from django.core.management.base import BaseCommand

from kam.org.cli import active_user
from kam.org.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user; the key is printed once and never stored."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="script")

    def handle(self, *args, action: str, username: str, name: str, **o):
        user = active_user(username)
        _, key = api_token_create(actor=None, user=user, name=name)
        self.stdout.write(key)
