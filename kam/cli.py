"""The ``kam`` console command: the entry point for every operator task.

``kam serve``, ``kam migrate``, ``kam demo``, ``kam import``, ``kam import-mapping``,
``kam createuser``, ``kam radar`` and every other Django management command run through here
with KAM's settings.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "kam"
    if len(args) > 1 and not args[1].startswith("-"):
        # Commands are modules, named with underscores; the console spells them with dashes
        # (``kam import-mapping``), and both work.
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
