"""``python -m hub.cli``: the same as the ``kcr`` command."""

from hub.cli.main import main

main()
