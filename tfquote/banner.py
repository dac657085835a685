"""Printed by `make run` before the processes start: where everything is."""

from __future__ import annotations

from tfquote.settings import Settings


def main() -> None:
    s = Settings.from_env()
    lines = [
        "tfquote is starting:",
        f"  web page  http://127.0.0.1:{s.gateway_port}/ui/",
        f"  API       http://127.0.0.1:{s.gateway_port}/api/v1  (health: /health/ready)",
        f"  engine    {s.engine_url}",
        f"  Flower    http://127.0.0.1:{s.flower_port}",
        f"  Redis     {s.redis_url}",
        f"  data      {s.data_dir.resolve()}",
    ]
    if not s.auth_enabled:
        lines += [
            "",
            "  !!! AUTHENTICATION IS DISABLED (AUTH_ENABLED=false): anyone who can reach",
            "  !!! the API can use it. Keep it on localhost.",
        ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
