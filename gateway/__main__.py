"""``python -m gateway``: small commands around the gateway.

- ``token --sub alice``: mint a token for the configured JWT_SECRET.
- ``openapi [--format yaml|json]``: print the OpenAPI document; the committed copy is
  regenerated with ``python -m gateway openapi > docs/openapi.yaml``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a JWT signed with JWT_SECRET (HS256)")
    token.add_argument("--sub", required=True, help="the subject, i.e. the tenant")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    openapi = commands.add_parser(
        "openapi", help="print the OpenAPI document (needs no configuration)"
    )
    openapi.add_argument("--format", choices=("yaml", "json"), default="yaml")
    args = parser.parse_args(argv)
    if args.command == "openapi":
        return _openapi(args.format)
    return _token(args.sub, args.ttl)


def _openapi(fmt: str) -> int:
    from gateway.openapi import build_spec, to_json, to_yaml

    document = build_spec()
    sys.stdout.write(to_yaml(document) if fmt == "yaml" else to_json(document))
    return 0


def _token(sub: str, ttl: int) -> int:
    from gateway.auth import mint_token
    from tfquote.settings import ConfigError, Settings

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    print(mint_token(settings, sub, ttl_seconds=ttl))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
