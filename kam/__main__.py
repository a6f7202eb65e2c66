"""``python -m kam`` is the same as the ``kam`` command."""

from kam.cli import main

main()
