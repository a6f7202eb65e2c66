"""``kam createuser USERNAME --role ROLE``: add a person (password asked, or --password)."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from kam.org.models import Department, Role, User
from kam.org.services import user_create


class Command(BaseCommand):
    help = "Create a person with a role and a place in the structure."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="omit to be asked")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--department", help="department name")
        parser.add_argument("--manager", help="manager's username")
        parser.add_argument("--superuser", action="store_true")

    def handle(self, *args, **o):
        if User.objects.filter(username=o["username"]).exists():
            raise CommandError(f"user {o['username']!r} already exists")
        department = manager = None
        if o["department"]:
            department = Department.objects.filter(name=o["department"]).first()
            if department is None:
                raise CommandError(f"no department named {o['department']!r}")
        if o["manager"]:
            manager = User.objects.filter(username=o["manager"]).first()
            if manager is None:
                raise CommandError(f"no user named {o['manager']!r}")
        password = o["password"]
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        user = user_create(
            actor=None,
            username=o["username"],
            password=password,
            role=o["role"],
            first_name=o["first_name"],
            last_name=o["last_name"],
            email=o["email"],
            department=department,
            manager=manager,
            is_superuser=o["superuser"],
            is_staff=o["superuser"],
        )
        self.stdout.write(f"created {user.username} ({user.get_role_display()})")
