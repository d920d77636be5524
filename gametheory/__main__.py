"""``python -m gametheory``: see :mod:`gametheory.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
