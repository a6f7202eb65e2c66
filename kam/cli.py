"""The ``kam`` console command: the entry point for every operator task.

``kam serve``, ``kam migrate``, ``kam demo``, ``kam import``, ``kam createuser``, ``kam radar``
and every other Django management command run through here with KAM's settings.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "kam"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
