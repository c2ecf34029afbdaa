"""``python -m giamsat``: the same as the ``giamsat`` command."""

from giamsat.cli import main

main()
