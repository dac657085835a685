"""``python -m engine pricing build|import|info``: maintaining the price catalog offline.

* ``build [--source DIR] [--output FILE]`` rebuilds the shipped catalog from the offline price
  files (default ``<repo>/../shared/pricing``, written to ``engine/data/aws_prices.sqlite``);
* ``import FILE... [--catalog PATH] [--output PATH] [--region R]... [--family F]...`` merges
  AWS Price List offer files (bulk CSV or JSON) into a catalog (default: ``$ENGINE_CATALOG_PATH``
  or the shipped one);
* ``info [--catalog PATH]`` prints the sources, their dates and row counts;
* ``reference [--catalog PATH] [--output FILE]`` regenerates the catalog reference in
  ``docs/pricing-catalog.md`` (what each service's products, attributes and units are).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.pricing.catalog import DEFAULT_CATALOG_PATH, CatalogError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE_DIR = REPO.parent / "shared" / "pricing"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pricing = commands.add_parser("pricing", help="build, import into or inspect the catalog")
    actions = pricing.add_subparsers(dest="pricing_command", required=True)

    build = actions.add_parser("build", help="build the shipped catalog from ../shared/pricing")
    build.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE_DIR,
        help=f"directory of the offline price files (default: {DEFAULT_SOURCE_DIR})",
    )
    build.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_CATALOG_PATH,
        help=f"catalog file to write (default: {DEFAULT_CATALOG_PATH})",
    )

    importer = actions.add_parser("import", help="merge AWS Price List offer files (CSV/JSON)")
    importer.add_argument("files", type=Path, nargs="+", metavar="FILE")
    importer.add_argument("--catalog", type=Path, default=None, help="catalog to read")
    importer.add_argument("--output", type=Path, default=None, help="default: --catalog")
    importer.add_argument("--region", action="append", default=[], help="keep only this region")
    importer.add_argument("--family", action="append", default=[], help="keep only this family")

    info = actions.add_parser("info", help="print the catalog's sources and dates")
    info.add_argument("--catalog", type=Path, default=None)

    reference = actions.add_parser(
        "reference", help="regenerate the catalog reference in docs/pricing-catalog.md"
    )
    reference.add_argument("--catalog", type=Path, default=None)
    reference.add_argument("--output", type=Path, default=None, help="default: the document")


def run(args: argparse.Namespace, configured_catalog: str = "") -> int:
    catalog = getattr(args, "catalog", None) or Path(configured_catalog or DEFAULT_CATALOG_PATH)
    try:
        if args.pricing_command == "build":
            from engine.pricing.builder import build_catalog

            if not args.source.is_dir():
                print(f"error: price files not found in {args.source}", file=sys.stderr)
                return 2
            result = build_catalog(args.source, args.output)
            summary = {
                "output": str(args.output),
                "bytes": args.output.stat().st_size,
                "rows": len(result.rows),
                "rows_by_source": dict(sorted(result.counts.items())),
            }
            print(json.dumps(summary, indent=2))
            return 0
        if args.pricing_command == "import":
            from engine.pricing.importer import import_files

            imported = import_files(
                catalog,
                args.files,
                output=args.output,
                regions=args.region,
                families=args.family,
            )
            report = [
                {
                    "source": item.source.key,
                    "rows": len(item.rows),
                    "skipped": dict(sorted(item.skipped.items())),
                }
                for item in imported
            ]
            print(json.dumps({"catalog": str(args.output or catalog), "files": report}, indent=2))
            return 0
        if args.pricing_command == "reference":
            from engine.pricing.builder import rule_sets
            from engine.pricing.builder.reference import DOCUMENT, render, replace_generated

            output = args.output or DOCUMENT
            text = replace_generated(
                DOCUMENT.read_text(encoding="utf-8"), render(catalog, rule_sets())
            )
            output.write_text(text, encoding="utf-8")
            print(json.dumps({"catalog": str(catalog), "output": str(output)}, indent=2))
            return 0
        from engine.pricing.importer import catalog_summary

        print(json.dumps(catalog_summary(catalog), indent=2))
        return 0
    except (CatalogError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
