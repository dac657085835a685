"""``python -m tfquote.client``: the same as the ``tfquote`` console script."""

from tfquote.client.cli import main

raise SystemExit(main())
