"""The shipped price catalog: contents, provenance, drift, lookups, read-only and threads."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from engine.config import EngineSettings
from engine.pricing import DEFAULT_CATALOG_PATH, Catalog, CatalogError, PriceQuery
from engine.pricing.builder import MAIN_REGIONS, SOURCES, collect
from engine.pricing.catalog import SCHEMA_VERSION, open_read_only
from engine.pricing.store import Row, Source, read_all, write_catalog
from tests.support.shared import SHARED, require_shared

pytestmark = pytest.mark.unit

EC2_LINUX = {"capacitystatus": "Used", "operatingSystem": "Linux", "preInstalledSw": "NA"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(DEFAULT_CATALOG_PATH)


def ec2(instance_type: str, region: str, tenancy: str = "Shared") -> PriceQuery:
    family = "Compute Instance (bare metal)" if ".metal" in instance_type else "Compute Instance"
    attributes = {**EC2_LINUX, "instanceType": instance_type, "tenancy": tenancy}
    return PriceQuery.of("AmazonEC2", family, region, attributes)


# --- the shipped file ----------------------------------------------------------------------------


# The catalog ships in the package and in git: growing past this is a decision to make (and to
# record in engine/data/README.md), not something a new rule should do silently.
CATALOG_SIZE_LIMIT = 12 * 1024 * 1024


def test_shipped_catalog_is_small_and_complete(catalog: Catalog) -> None:
    assert DEFAULT_CATALOG_PATH.is_file()
    assert DEFAULT_CATALOG_PATH.stat().st_size < CATALOG_SIZE_LIMIT
    meta = catalog.meta()
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["regions"].split(",") == sorted(MAIN_REGIONS)
    # Beyond the main regions, only feeds that ship every region (data transfer) add any.
    extra = sorted(set(catalog.regions()) - {*MAIN_REGIONS, ""})
    assert {*MAIN_REGIONS, ""} <= set(catalog.regions())
    services = catalog._connection().execute(
        "SELECT DISTINCT p.service_code FROM prices r JOIN products p ON p.id = r.product_id"
        f" WHERE r.region_code IN ({','.join('?' * len(extra))})",
        extra,
    )
    assert {row[0] for row in services} <= {"AWSDataTransfer"}


def test_every_price_names_a_source_with_url_licence_and_date(catalog: Catalog) -> None:
    sources = catalog.sources()
    assert set(SOURCES) <= set(sources)
    for info in sources.values():
        assert info.url.startswith("https://"), info
        assert info.licence and info.title
        assert len(info.effective_date) == 10 and info.effective_date[4] == "-"
    connection = open_read_only(DEFAULT_CATALOG_PATH)
    try:
        orphans = connection.execute(
            "SELECT count(*) FROM prices WHERE source_id NOT IN (SELECT id FROM sources)"
        ).fetchone()[0]
        currencies = {row[0] for row in connection.execute("SELECT DISTINCT currency FROM prices")}
        bad_prices = [
            row[0]
            for row in connection.execute("SELECT DISTINCT price_per_unit FROM prices")
            if not Decimal(row[0]).is_finite() or Decimal(row[0]) < 0
        ]
    finally:
        connection.close()
    assert orphans == 0
    assert currencies == {"USD"}
    assert bad_prices == []


def test_curated_rows_carry_their_source_url_and_date() -> None:
    curated = json.loads((DEFAULT_CATALOG_PATH.parent / "curated_prices.json").read_text())
    for row in curated["rows"]:
        assert row["source_url"].startswith("https://aws.amazon.com/")
        assert row["effective_date"] and row["description"]
    for tier in curated["tiers"].values():
        assert tier["source_url"].startswith("https://aws.amazon.com/")
        assert [Decimal(bound) for bound in tier["boundaries"]] == sorted(
            Decimal(bound) for bound in tier["boundaries"]
        )


def test_attribution_names_every_source() -> None:
    readme = (DEFAULT_CATALOG_PATH.parent / "README.md").read_text()
    catalog = Catalog(DEFAULT_CATALOG_PATH)
    for key in catalog.sources():
        assert f"`{key}`" in readme, key


def test_rebuilding_from_shared_gives_the_shipped_rows() -> None:
    """The committed artifact cannot drift silently from its inputs and the build rules."""
    source_dir = require_shared(SHARED / "pricing" / "MANIFEST.md").resolve().parent
    fresh = collect(source_dir)
    connection = open_read_only(DEFAULT_CATALOG_PATH)
    try:
        sources, rows, locations = read_all(connection)
        meta = dict(connection.execute("SELECT key, value FROM meta"))
    finally:
        connection.close()
    hint = "the shipped catalog is stale: run python -m engine pricing build"
    assert sorted(fresh.sources, key=lambda source: source.key) == sources, hint
    assert len(fresh.rows) == len(rows), hint
    assert Counter(fresh.rows) == Counter(rows), hint
    assert [tuple(location) for location in fresh.locations] == locations, hint
    assert {**fresh.meta, "schema_version": SCHEMA_VERSION} == meta, hint


# --- lookups -------------------------------------------------------------------------------------


def test_newest_source_wins(catalog: Catalog) -> None:
    # us-east-1: Karpenter (2026-07-20) and the AWS web feed (2025-06-18) agree on t3.micro.
    match = catalog.lookup(ec2("t3.micro", "us-east-1"))
    assert match is not None
    assert match.price == Decimal("0.0104")
    assert (match.source, match.effective_date) == ("karpenter-ec2-us-east-1", "2026-07-20")
    assert match.candidates == 2
    # eu-west-1: the 2025 web feed beats the 2023 Price List extract.
    match = catalog.lookup(ec2("t3.micro", "eu-west-1"))
    assert match is not None and match.source == "awsweb-ec2"
    # EBS in eu-west-1: the 2023 Price List extract beats the 2022 EBS file.
    gp2 = catalog.lookup(
        PriceQuery.of("AmazonEC2", "Storage", "eu-west-1", {"volumeApiName": "gp2"})
    )
    assert gp2 is not None and gp2.source == "terracost-eu-west-1" and gp2.price == Decimal("0.11")


def test_karpenter_metal_is_dedicated_and_not_used_for_shared(catalog: Catalog) -> None:
    shared = catalog.lookup(ec2("m5.metal", "us-east-1"))
    dedicated = catalog.lookup(ec2("m5.metal", "us-east-1", "Dedicated"))
    assert shared is not None and shared.source == "awsweb-ec2"
    assert dedicated is not None and dedicated.source == "karpenter-ec2-us-east-1"


def test_tiers_are_returned_in_order(catalog: Catalog) -> None:
    match = catalog.lookup(
        PriceQuery.of(
            "AmazonS3",
            "Storage",
            "us-east-1",
            {"storageClass": "General Purpose", "volumeType": "Standard"},
        )
    )
    assert match is not None
    assert [(tier.tier_start, tier.tier_end, tier.price) for tier in match.tiers] == [
        (Decimal(0), Decimal(51200), Decimal("0.023")),
        (Decimal(51200), Decimal(512000), Decimal("0.022")),
        (Decimal(512000), None, Decimal("0.021")),
    ]


def test_usage_type_matches_with_one_regional_prefix_only(catalog: Catalog) -> None:
    # eu-west-1 has "EU-LoadBalancerUsage" and "EU-Outposts-LoadBalancerUsage" (2023 rows).
    query = PriceQuery.of(
        "AWSELB", "Load Balancer-Application", "eu-west-1", usage_type="LoadBalancerUsage"
    )
    rows = catalog._rows(query)
    assert {row.usage_type for row in rows} == {"EU-LoadBalancerUsage", "LoadBalancerUsage"}


# Values below are the ones ../shared/pricing/MANIFEST.md quotes for each feed (section 6.x):
# they check that a feed's label reached the product a cost function will ask for.


def test_opensearch_on_demand_and_reserved_are_told_apart_by_term(catalog: Catalog) -> None:
    base = {"instanceType": "m5.large.search"}
    on_demand = catalog.lookup(
        PriceQuery.of(
            "AmazonES",
            "Amazon OpenSearch Service Instance",
            "us-east-1",
            {**base, "termType": "OnDemand"},
        )
    )
    assert on_demand is not None and not on_demand.ambiguous
    assert on_demand.price == Decimal("0.142") and on_demand.first.unit == "Hrs"
    reserved = {
        **base,
        "termType": "Reserved",
        "leaseContractLength": "1yr",
        "purchaseOption": "No Upfront",
    }
    hourly = catalog.lookup(
        PriceQuery.of(
            "AmazonES", "Amazon OpenSearch Service Instance", "us-east-1", reserved, units=["Hrs"]
        )
    )
    assert hourly is not None and hourly.price == Decimal("0.098")
    upfront = catalog.lookup(
        PriceQuery.of(
            "AmazonES",
            "Amazon OpenSearch Service Instance",
            "us-east-1",
            {**reserved, "purchaseOption": "All Upfront"},
            units=["Quantity"],
        )
    )
    assert upfront is not None and upfront.first.unit == "Quantity" and upfront.price > 0


def test_data_transfer_out_to_the_internet_is_tiered(catalog: Catalog) -> None:
    match = catalog.lookup(
        PriceQuery.of(
            "AWSDataTransfer", "Data Transfer", "us-east-1", {"transferType": "AWS Outbound"}
        )
    )
    assert match is not None and not match.ambiguous
    assert [(tier.tier_start, tier.tier_end, tier.price) for tier in match.tiers] == [
        (Decimal(0), Decimal(10240), Decimal("0.09")),
        (Decimal(10240), Decimal(51200), Decimal("0.085")),
        (Decimal(51200), Decimal(153600), Decimal("0.07")),
        (Decimal(153600), None, Decimal("0.05")),
    ]
    ireland = catalog.location_of("eu-west-1")
    assert ireland is not None and ireland == "EU (Ireland)"
    to_ireland = catalog.lookup(
        PriceQuery.of(
            "AWSDataTransfer",
            "Data Transfer",
            "us-east-1",
            {
                "transferType": "InterRegion Outbound",
                "toLocation": ireland,
            },
        )
    )
    assert to_ireland is not None and to_ireland.price == Decimal("0.02")


def test_windows_and_dedicated_hosts_are_eu_west_1_only(catalog: Catalog) -> None:
    windows = {
        "capacitystatus": "Used",
        "instanceType": "m5.large",
        "licenseModel": "No License required",
        "operatingSystem": "Windows",
        "preInstalledSw": "NA",
        "tenancy": "Shared",
    }
    match = catalog.lookup(PriceQuery.of("AmazonEC2", "Compute Instance", "eu-west-1", windows))
    assert match is not None and match.price == Decimal("0.199")
    assert match.source == "terracost-eu-west-1-windows"
    assert (
        catalog.lookup(PriceQuery.of("AmazonEC2", "Compute Instance", "us-east-1", windows)) is None
    )
    # The Linux price in eu-west-1 is not disturbed by the Windows rows.
    linux = catalog.lookup(ec2("m5.large", "eu-west-1"))
    assert linux is not None and not linux.ambiguous and linux.source == "awsweb-ec2"
    host = catalog.lookup(
        PriceQuery.of("AmazonEC2", "Dedicated Host", "eu-west-1", {"instanceType": "c3"})
    )
    assert host is not None and host.price == Decimal("2.103")


def test_global_prices_have_no_region(catalog: Catalog) -> None:
    fee = catalog.lookup(PriceQuery.of("AWSGlobalAccelerator", "Accelerator", ""))
    assert fee is not None and fee.price == Decimal("0.025")
    assert fee.source == "curated:globalaccelerator-fixed-fee"
    premium = catalog.lookup(
        PriceQuery.of(
            "AWSGlobalAccelerator",
            "Data Transfer Premium",
            "",
            {"fromLocation": "NA", "toLocation": "EU", "trafficDirection": "In"},
        )
    )
    assert premium is not None and premium.source == "awsweb-globalaccelerator"
    cloudfront = catalog.lookup(
        PriceQuery.of(
            "AmazonCloudFront",
            "Data Transfer",
            "",
            {"fromLocation": "United States", "transferType": "CloudFront Outbound"},
        )
    )
    assert cloudfront is not None and cloudfront.price == Decimal("0.085")
    assert len(cloudfront.tiers) == 7


def test_new_feeds_keep_their_publication_dates(catalog: Catalog) -> None:
    broker = catalog.lookup(
        PriceQuery.of(
            "AmazonMSK",
            "Managed Streaming for Apache Kafka (MSK)",
            "us-east-1",
            {"group": "Broker", "instanceType": "kafka.m5.large"},
        )
    )
    assert broker is not None and broker.price == Decimal("0.21")
    assert (broker.source, broker.effective_date) == ("awsweb-msk", "2025-11-20")
    port = catalog.lookup(
        PriceQuery.of(
            "AWSDirectConnect",
            "Direct Connect",
            "us-east-1",
            {"capacity": "1G", "connectionType": "Dedicated", "location": "CoreSite VA1 VA2"},
        )
    )
    assert port is not None and (port.price, port.effective_date) == (Decimal("0.3"), "2020-09-25")


def test_a_products_own_query_finds_no_other_product_of_its_source() -> None:
    """A cost function asks for a product by its attributes (and its usage type, if it has
    one). Within one source that query must not also match another product's prices of the
    same region and unit, or the lookup has to guess. (Two sources pricing the same product is
    intended: the newest wins.)"""
    connection = open_read_only(DEFAULT_CATALOG_PATH)
    try:
        records = connection.execute(
            "SELECT p.id, p.service_code, p.product_family, p.attributes, r.region_code,"
            " r.usage_type, r.unit, s.key FROM products p JOIN prices r ON r.product_id = p.id"
            " JOIN sources s ON s.id = r.source_id"
        ).fetchall()
    finally:
        connection.close()
    attributes: dict[int, dict[str, str]] = {}
    offers: dict[tuple[int, str], set[tuple[str, str, str]]] = defaultdict(set)
    family: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    having: dict[tuple[str, str, str, str, str], set[int]] = defaultdict(set)
    for product, service, name, attrs, region, usage, unit, source in records:
        attributes[product] = json.loads(attrs)
        offers[(product, source)].add((region, usage, unit))
        family[(service, name, source)].add(product)
        for item in attributes[product].items():
            having[(service, name, source, *item)].add(product)
    clashes = []
    for (service, name, source), products in family.items():
        for product in products:
            others = set(products)
            for item in attributes[product].items():
                others &= having[(service, name, source, *item)]
            others.discard(product)
            for region, usage, unit in offers[(product, source)]:
                pattern = re.compile(r"(?:[A-Za-z0-9]+-)?" + re.escape(usage)) if usage else None
                for other in others:
                    if any(
                        (r, n) == (region, unit) and (pattern is None or pattern.fullmatch(u))
                        for r, u, n in offers[(other, source)]
                    ):
                        clashes.append((source, service, name, attributes[product], region, unit))
    assert clashes == []


def test_missing_price_is_none(catalog: Catalog) -> None:
    assert catalog.lookup(ec2("t3.nonexistent", "us-east-1")) is None
    rds = PriceQuery.of(
        "AmazonRDS",
        "Database Instance",
        "eu-north-1",  # RDS prices cover ten regions only
        {"instanceType": "db.t3.micro", "databaseEngine": "MySQL", "deploymentOption": "Single-AZ"},
    )
    assert catalog.lookup(rds) is None


def _tiny_catalog(path: Path, rows: list[Row]) -> Catalog:
    sources = {
        Source(row.source, f"title {row.source}", "https://example.org", "MIT", row.effective_date)
        for row in rows
    }
    write_catalog(path, sources=sources, rows=rows)
    return Catalog(path)


def _row(price: str, *, source: str = "s1", date: str = "2025-01-01", sku: str = "A") -> Row:
    return Row(
        service="Svc",
        family="Fam",
        region="r-1",
        attributes=(("k", "v"),),
        usage_type="",
        unit="Hrs",
        price=price,
        currency="USD",
        tier_start="0",
        tier_end="",
        sku=sku,
        description="",
        source=source,
        effective_date=date,
    )


def test_ambiguous_prices_are_flagged_and_the_higher_one_used(tmp_path: Path) -> None:
    catalog = _tiny_catalog(tmp_path / "c.sqlite", [_row("1", sku="A"), _row("2", sku="B")])
    match = catalog.lookup(PriceQuery.of("Svc", "Fam", "r-1", {"k": "v"}))
    assert match is not None
    assert match.ambiguous is True
    assert match.price == Decimal(2)


def test_equal_dates_pick_a_source_deterministically(tmp_path: Path) -> None:
    rows = [_row("1", source="b"), _row("2", source="a"), _row("3", source="c", date="2020-01-01")]
    catalog = _tiny_catalog(tmp_path / "c.sqlite", rows)
    match = catalog.lookup(PriceQuery.of("Svc", "Fam", "r-1", {"k": "v"}))
    assert match is not None and (match.source, match.price, match.ambiguous) == (
        "a",
        Decimal(2),
        False,
    )


def test_invalid_attribute_names_are_refused(catalog: Catalog) -> None:
    with pytest.raises(CatalogError):
        catalog.lookup(PriceQuery.of("AmazonEC2", "Storage", "us-east-1", {"a') OR 1=1 --": "x"}))


# --- read-only, threads, missing files -------------------------------------------------------------


def test_catalog_is_opened_read_only(catalog: Catalog) -> None:
    connection = catalog._connection()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM prices")


def test_lookups_are_safe_across_threads(tmp_path: Path) -> None:
    catalog = Catalog(DEFAULT_CATALOG_PATH)
    types = ["t3.micro", "m5.large", "c5.xlarge", "r5.2xlarge"]
    expected = {name: catalog.lookup(ec2(name, "us-east-2")) for name in types}
    errors: list[BaseException] = []
    connections: list[sqlite3.Connection] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            fresh = Catalog(DEFAULT_CATALOG_PATH)  # cold caches: real concurrent SQL
            for _ in range(20):
                for name in types:
                    assert fresh.lookup(ec2(name, "us-east-2")) == expected[name]
                    assert catalog.lookup(ec2(name, "us-east-2")) == expected[name]
            with lock:
                connections.append(catalog._connection())  # kept alive: ids stay unique
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len({id(connection) for connection in connections}) == 8  # one per thread


def test_missing_or_foreign_catalog_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not found"):
        Catalog(tmp_path / "absent.sqlite").meta()
    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(CatalogError):
        Catalog(foreign).meta()
    assert not (tmp_path / "absent.sqlite").exists()  # read-only: never created


def test_catalog_path_setting(tmp_path: Path) -> None:
    assert EngineSettings.from_env({}).catalog_path == ""
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"")
    assert EngineSettings.from_env({"ENGINE_CATALOG_PATH": str(path)}).catalog_path == str(path)
    with pytest.raises(ValueError, match="catalog_path"):
        EngineSettings.from_env({"ENGINE_CATALOG_PATH": str(tmp_path / "nope.sqlite")})


def test_missing_shared_data_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not found"):
        require_shared(tmp_path / "absent").resolve()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_shared(tmp_path / "absent").resolve()
    assert require_shared(tmp_path).resolve() == tmp_path.resolve()
