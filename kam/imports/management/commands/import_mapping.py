"""``kam import-mapping list|show NAME|delete NAME``: the saved column mappings (issue 8 §1).

``list`` names every saved mapping, ``show`` prints one as JSON (a file ``kam import
--mapping`` takes back), ``delete`` removes one (audited; say who: ``--user`` or ``--system``).
Without ``--user``, list and show read as the operator on the server (the system)."""

import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from kam.imports.selectors.mappings import mapping_get, mappings_for
from kam.imports.services.mappings import mapping_delete
from kam.org.models import User


class Command(BaseCommand):
    help = (
        "List, show or delete saved import mappings. Mappings are saved with "
        "kam import ... --mapping FILE --save-mapping NAME. See docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("list", "show", "delete"))
        parser.add_argument("name", nargs="?", help="the mapping (show, delete)")
        parser.add_argument("--user", help="act as this user (delete: who deletes it)")
        parser.add_argument(
            "--system", action="store_true", help="act as the system (delete: an operator)"
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, action: str, name: str | None, user: str | None, system: bool, **o):
        if user and system:
            raise CommandError(_("give --user or --system, not both"))
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("no active user named %r") % user)
        if action == "list":
            return self._list(actor, o["format"])
        if not name:
            raise CommandError(_("%s needs the name of a mapping") % action)
        if action == "show":
            try:
                saved = mapping_get(actor, name)
            except Http404:
                raise CommandError(_('no saved mapping named "%s"') % name) from None
            self.stdout.write(json.dumps(saved.spec, ensure_ascii=False, indent=2))
            return None
        if not user and not system:
            raise CommandError(_("say who deletes it: --user USERNAME or --system"))
        try:
            mapping_delete(actor=actor, name=name)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except Http404:
            raise CommandError(_('no saved mapping named "%s"') % name) from None
        self.stdout.write(_('mapping "%s" deleted') % name)
        return None

    def _list(self, actor: User | None, output: str) -> None:
        mappings = list(mappings_for(actor))
        if output == "json":
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "name": m.name,
                            "kind": m.kind,
                            "created_by": m.created_by.username if m.created_by else None,
                            "updated_at": m.updated_at.isoformat(),
                            "mapping": m.spec,
                        }
                        for m in mappings
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        if not mappings:
            self.stdout.write(_("no saved mappings"))
            return
        for m in mappings:
            by = m.created_by.username if m.created_by else _("the system")
            self.stdout.write(f"{m.name}\t{m.kind}\t{by}\t{m.updated_at:%Y-%m-%d %H:%M}")
