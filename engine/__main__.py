"""``python -m engine serve|pricing``.

* ``serve``: the Werkzeug development server, for debugging only. Production runs
  ``gunicorn 'engine:create_app()'``; this entry point exists so an engineer can start the
  engine with one command and a debugger attached.
* ``pricing build|import|info``: maintain the offline price catalog (see
  :mod:`engine.pricing.cli`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from engine import create_app
from engine.config import load_settings
from engine.pricing import cli as pricing_cli


def main(argv: Sequence[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the development server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port", type=int, default=settings.port, help="default: $ENGINE_PORT or 8001"
    )
    pricing_cli.add_parser(commands)
    args = parser.parse_args(argv)

    if args.command == "pricing":
        return pricing_cli.run(args, settings.catalog_path)

    if args.command == "serve":
        logging.basicConfig(level=logging.INFO)
        app = create_app(settings=settings)
        # threaded=True so a waiting duplicate request does not block the first one.
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
