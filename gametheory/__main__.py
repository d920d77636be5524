"""``python -m gametheory``: see :mod:`gametheory.cli`."""

from .cli import main

raise SystemExit(main())
