"""``python -m gateway token --sub alice``: mint a token for the configured JWT_SECRET."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway.auth import mint_token
from tfquote.settings import ConfigError, Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a JWT signed with JWT_SECRET (HS256)")
    token.add_argument("--sub", required=True, help="the subject, i.e. the tenant")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    print(mint_token(settings, args.sub, ttl_seconds=args.ttl))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
