"""Importing AWS Price List offer files (bulk CSV and JSON) and the ``pricing`` CLI."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from engine.__main__ import main
from engine.pricing import DEFAULT_CATALOG_PATH, Catalog, PriceQuery
from engine.pricing.catalog import open_read_only
from engine.pricing.importer import OfferFileError, attribute_name, import_files
from tests.support.shared import SHARED, require_shared

pytestmark = pytest.mark.unit

SAMPLE = SHARED / "pricing" / "aws_pricelist_format_sample_AmazonEC2.csv"


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.sqlite"
    shutil.copyfile(DEFAULT_CATALOG_PATH, path)
    return path


def offer(publication: str, price: str, *, region: str = "us-east-1") -> dict[str, object]:
    """A minimal bulk JSON offer file with one EC2 instance product."""
    return {
        "formatVersion": "v1.0",
        "offerCode": "AmazonEC2",
        "version": publication.replace("-", ""),
        "publicationDate": f"{publication}T00:00:00Z",
        "products": {
            "SKU1": {
                "sku": "SKU1",
                "productFamily": "Compute Instance",
                "attributes": {
                    "servicecode": "AmazonEC2",
                    "location": "US East (N. Virginia)",
                    "regionCode": region,
                    "instanceType": "t3.micro",
                    "operatingSystem": "Linux",
                    "tenancy": "Shared",
                    "preInstalledSw": "NA",
                    "capacitystatus": "Used",
                    "usagetype": "BoxUsage:t3.micro",
                },
            },
            "SKU2": {
                "sku": "SKU2",
                "productFamily": "Storage",
                "attributes": {
                    "servicecode": "AmazonEC2",
                    "location": "EU (Ireland)",  # no regionCode: mapped by location name
                    "volumeApiName": "gp3",
                    "usagetype": "EU-EBS:VolumeUsage.gp3",
                },
            },
        },
        "terms": {
            "OnDemand": {
                "SKU1": {
                    "SKU1.JRTCKXETXF": {
                        "priceDimensions": {
                            "SKU1.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": "Hrs",
                                "beginRange": "0",
                                "endRange": "Inf",
                                "description": "$x per On Demand Linux t3.micro Instance Hour",
                                "pricePerUnit": {"USD": price},
                            }
                        }
                    }
                },
                "SKU2": {
                    "SKU2.JRTCKXETXF": {
                        "priceDimensions": {
                            "SKU2.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": "GB-Mo",
                                "pricePerUnit": {"USD": "0.0777"},
                            }
                        }
                    }
                },
            },
            "Reserved": {"SKU1": {}},
        },
    }


def t3_micro(region: str = "us-east-1") -> PriceQuery:
    return PriceQuery.of(
        "AmazonEC2",
        "Compute Instance",
        region,
        {
            "instanceType": "t3.micro",
            "operatingSystem": "Linux",
            "tenancy": "Shared",
            "preInstalledSw": "NA",
            "capacitystatus": "Used",
        },
    )


@pytest.mark.parametrize(
    ("column", "name"),
    [
        ("Volume API Name", "volumeApiName"),
        ("Instance Type", "instanceType"),
        ("Pre Installed S/W", "preInstalledSw"),
        ("CapacityStatus", "capacitystatus"),
        ("usageType", "usagetype"),
        ("serviceCode", "servicecode"),
        ("Location Type", "locationType"),
        ("Instance Capacity - 10xlarge", "instanceCapacity10xlarge"),
    ],
)
def test_csv_columns_become_json_attribute_names(column: str, name: str) -> None:
    assert attribute_name(column) == name


def test_import_bulk_csv_sample(catalog_copy: Path) -> None:
    require_shared(SAMPLE)
    imported = import_files(catalog_copy, [SAMPLE])
    assert [item.source.key for item in imported] == ["import:AmazonEC2:2020-10-19"]
    assert len(imported[0].rows) == 5
    catalog = Catalog(catalog_copy)
    # The sample's service code is "AmazonEC2-test" (fake SKUs): it never shadows real prices.
    match = catalog.lookup(
        PriceQuery.of("AmazonEC2-test", "Storage", "eu-west-3", {"volumeApiName": "st1"})
    )
    assert match is not None
    assert match.price == Decimal("0.053")
    assert match.first.usage_type == "EUW3-EBS:VolumeUsage.st1"
    assert match.first.sku == "EHKX3M49Y895TEST"
    assert "Throughput Optimized HDD" in match.first.description
    io = catalog.lookup(
        PriceQuery.of(
            "AmazonEC2-test",
            "System Operation",
            "eu-west-3",
            {"group": "EBS I/O Requests", "volumeApiName": "standard"},
        )
    )
    assert io is not None and io.price == Decimal("0.000000058")
    assert catalog.sources()["import:AmazonEC2:2020-10-19"].effective_date == "2020-10-19"


def test_import_json_offer_newer_prices_win_and_reimport_replaces(
    catalog_copy: Path, tmp_path: Path
) -> None:
    first = tmp_path / "ec2-2030-01-01.json"
    first.write_text(json.dumps(offer("2030-01-01", "0.0099")))
    imported = import_files(catalog_copy, [first])
    assert [len(item.rows) for item in imported] == [2]
    assert imported[0].skipped == {}
    match = Catalog(catalog_copy).lookup(t3_micro())
    assert match is not None
    assert (match.price, match.source) == (Decimal("0.0099"), "import:AmazonEC2:2030-01-01")
    gp3 = Catalog(catalog_copy).lookup(
        PriceQuery.of("AmazonEC2", "Storage", "eu-west-1", {"volumeApiName": "gp3"})
    )
    assert gp3 is not None and gp3.price == Decimal("0.0777")

    # The same publication imported again replaces its rows instead of duplicating them.
    first.write_text(json.dumps(offer("2030-01-01", "0.0098")))
    import_files(catalog_copy, [first])
    connection = open_read_only(catalog_copy)
    try:
        count = connection.execute(
            "SELECT count(*) FROM price_list WHERE source = 'import:AmazonEC2:2030-01-01'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert count == 2
    match = Catalog(catalog_copy).lookup(t3_micro())
    assert match is not None and match.price == Decimal("0.0098")


def test_import_region_filter(catalog_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "offer.json"
    path.write_text(json.dumps(offer("2030-01-01", "0.0099")))
    (item,) = import_files(catalog_copy, [path], regions=["eu-west-1"])
    assert [row.region for row in item.rows] == ["eu-west-1"]
    assert item.skipped == {"region filtered out": 1}


def test_import_rejects_files_that_are_not_offers(catalog_copy: Path, tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"hello": 1}')
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("a,b,c\n1,2,3\n")
    for path in (bad_json, bad_csv):
        with pytest.raises(OfferFileError):
            import_files(catalog_copy, [path])
    # The catalog was not touched.
    assert Catalog(catalog_copy).lookup(t3_micro()) is not None


def test_cli_build_import_and_info(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], catalog_copy: Path
) -> None:
    path = tmp_path / "offer.json"
    path.write_text(json.dumps(offer("2030-01-01", "0.0099")))
    output = tmp_path / "out.sqlite"
    assert main(["pricing", "import", str(path), "--catalog", str(catalog_copy),
                 "--output", str(output)]) == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["rows"] == 2
    assert main(["pricing", "info", "--catalog", str(output)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert "import:AmazonEC2:2030-01-01" in {source["id"] for source in info["sources"]}
    assert main(["pricing", "build", "--source", str(tmp_path / "missing")]) == 2
    assert main(["pricing", "info", "--catalog", str(tmp_path / "absent.sqlite")]) == 1
