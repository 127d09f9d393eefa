"""The jurisdictions loaded by members/migrations/0004_load_jurisdictions.py, checked
against ../shared/DOMAIN.md ("Jurisdictions"), and the migration's reverse."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from members.models import Jurisdiction

pytestmark = [pytest.mark.smoke]

data_migration = importlib.import_module("members.migrations.0004_load_jurisdictions")

ALL_STATES = set(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO "
    "MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)

WEST_STATES = {
    "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Hawaii", "Idaho", "Iowa",
    "Kansas", "Louisiana", "Minnesota", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Mexico", "North Dakota", "Oklahoma", "Oregon", "South Dakota", "Texas", "Utah",
    "Washington", "Wyoming",
}  # fmt: skip

# DOMAIN.md's ten HHS regions: states, DC and territories (the freely associated states of
# region IX are not loaded).
HHS_REGIONS = {
    1: {"CT", "ME", "MA", "NH", "RI", "VT"},
    2: {"NJ", "NY", "PR", "VI"},
    3: {"DE", "DC", "MD", "PA", "VA", "WV"},
    4: {"AL", "FL", "GA", "KY", "MS", "NC", "SC", "TN"},
    5: {"IL", "IN", "MI", "MN", "OH", "WI"},
    6: {"AR", "LA", "NM", "OK", "TX"},
    7: {"IA", "KS", "MO", "NE"},
    8: {"CO", "MT", "ND", "SD", "UT", "WY"},
    9: {"AZ", "CA", "HI", "NV", "GU", "AS", "MP"},
    10: {"AK", "ID", "OR", "WA"},
}

TRIBE_NAMES = {
    "Navajo Nation", "Central Council of Tlingit & Haida Indian Tribes of Alaska", "Puyallup",
    "Lummi", "Quinault", "Tulalip", "Port Gamble S'Klallam", "Nooksack", "Nez Perce",
    "Umatilla", "Klamath", "Confederated Salish & Kootenai", "Northern Arapaho",
    "Eastern Shoshone", "Pueblo of Zuni", "Mescalero Apache", "Three Affiliated Tribes",
    "Sisseton-Wahpeton Oyate", "Winnebago Tribe of Nebraska", "Osage", "Cherokee", "Chickasaw",
    "Muscogee (Creek)", "Alabama-Coushatta",
}  # fmt: skip

TRIBE_REGIONS = {
    "tribe-navajo-nation": 9,
    "tribe-tlingit-haida": 10,
    "tribe-puyallup": 10,
    "tribe-nez-perce": 10,
    "tribe-klamath": 10,
    "tribe-confederated-salish-kootenai": 8,
    "tribe-northern-arapaho": 8,
    "tribe-pueblo-of-zuni": 6,
    "tribe-three-affiliated-tribes": 8,
    "tribe-sisseton-wahpeton-oyate": 8,
    "tribe-winnebago-tribe-of-nebraska": 7,
    "tribe-osage": 6,
    "tribe-muscogee-creek": 6,
    "tribe-alabama-coushatta": 6,
}

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def rows(kind):
    return {j.code: j for j in Jurisdiction.objects.filter(kind=kind)}


def snapshot():
    return sorted(
        Jurisdiction.objects.values_list("kind", "code", "name", "west_of_mississippi", "hhs_region", "is_active")
    )


@pytest.mark.django_db
def test_fifty_states_and_dc():
    states = rows("state")
    assert set(states) == ALL_STATES
    district = rows("district")
    assert set(district) == {"DC"}
    assert district["DC"].name == "District of Columbia"
    assert district["DC"].west_of_mississippi is False
    assert all(j.is_active for j in [*states.values(), *district.values()])


@pytest.mark.django_db
def test_exactly_the_listed_states_are_west():
    west = set(Jurisdiction.objects.filter(kind="state", west_of_mississippi=True).values_list("name", flat=True))
    assert west == WEST_STATES
    assert len(west) == 24
    assert not Jurisdiction.objects.filter(kind="district", west_of_mississippi=True).exists()


@pytest.mark.django_db
def test_missouri_is_region_seven_and_west():
    missouri = Jurisdiction.objects.get(code="MO")
    assert missouri.name == "Missouri"
    assert missouri.hhs_region == 7
    assert missouri.west_of_mississippi is True


@pytest.mark.django_db
def test_hhs_regions_match_domain():
    places = Jurisdiction.objects.filter(kind__in=["state", "district", "territory"])
    assert all(j.hhs_region in range(1, 11) for j in places)
    actual = {region: set() for region in range(1, 11)}
    for j in places:
        actual[j.hhs_region].add(j.code)
    assert actual == HHS_REGIONS


@pytest.mark.django_db
def test_territories():
    territories = rows("territory")
    assert {code: (j.west_of_mississippi, j.hhs_region) for code, j in territories.items()} == {
        "GU": (True, 9),
        "AS": (True, 9),
        "MP": (True, 9),
        "PR": (False, 2),
        "VI": (False, 2),
    }
    assert territories["VI"].name == "U.S. Virgin Islands"
    # Freely associated states are not loaded as territories.
    assert not Jurisdiction.objects.filter(name__in=["Micronesia", "Marshall Islands", "Palau"]).exists()


@pytest.mark.django_db
def test_tribal_programs():
    tribes = rows("tribe")
    assert len(tribes) == 24
    assert {j.name for j in tribes.values()} == TRIBE_NAMES
    assert all(j.west_of_mississippi for j in tribes.values())
    assert all(j.hhs_region in {6, 7, 8, 9, 10} for j in tribes.values())
    assert all(re.fullmatch(r"tribe-[a-z0-9]+(-[a-z0-9]+)*", code) for code in tribes)
    assert {code: tribes[code].hhs_region for code in TRIBE_REGIONS} == TRIBE_REGIONS


@pytest.mark.django_db
def test_federal_entries():
    federal = rows("federal")
    assert len(federal) == 11
    ocss = federal["federal-ocss"]
    assert ocss.name == "Office of Child Support Services (OCSS)"
    assert ocss.hhs_region is None
    for region in range(1, 11):
        office = federal[f"federal-region-{region}"]
        assert office.hhs_region == region
        assert office.name.startswith(f"HHS Region {ROMAN[region - 1]} (")
        assert office.west_of_mississippi is (region >= 6)
    assert federal["federal-region-7"].name == "HHS Region VII (Kansas City)"


@pytest.mark.django_db
def test_international_entries():
    foreign = rows("foreign")
    assert set(foreign) == {
        "intl-canada",
        "intl-mexico",
        "intl-united-kingdom",
        "intl-germany",
        "intl-australia",
        "intl-hague-other",
    }
    assert foreign["intl-hague-other"].name == "Hague 2007 country (other)"
    assert all(not j.west_of_mississippi and j.hhs_region is None for j in foreign.values())


@pytest.mark.django_db
def test_codes_unique_and_totals():
    codes = list(Jurisdiction.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 51 + 5 + 24 + 11 + 6
    assert len(data_migration.LOADED_CODES) == len(set(data_migration.LOADED_CODES))
    assert set(codes) == set(data_migration.LOADED_CODES)
    assert all(len(code) <= Jurisdiction._meta.get_field("code").max_length for code in codes)


@pytest.mark.django_db
def test_loading_again_is_idempotent():
    before = snapshot()
    Jurisdiction.objects.filter(code="MO").update(name="Show-Me State", hhs_region=1)
    data_migration.load_jurisdictions(django_apps, connection.schema_editor())
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_reverse_removes_exactly_the_loaded_rows_and_reapplying_restores_them():
    # An earlier transactional test may have flushed the tables; start from the loaded data.
    data_migration.load_jurisdictions(django_apps, connection.schema_editor())
    before = snapshot()
    loaded = set(data_migration.LOADED_CODES)
    try:
        Jurisdiction.objects.create(kind="tribe", code="tribe-admin-added", name="Added in the admin")
        call_command("migrate", "members", "0003", verbosity=0)
        assert list(Jurisdiction.objects.values_list("code", flat=True)) == ["tribe-admin-added"]
        executor = MigrationExecutor(connection)
        assert ("members", "0004_load_jurisdictions") not in executor.loader.applied_migrations

        call_command("migrate", verbosity=0)
        Jurisdiction.objects.filter(code="tribe-admin-added").delete()
        assert set(Jurisdiction.objects.values_list("code", flat=True)) == loaded
        assert snapshot() == before
    finally:
        # Leave every app fully migrated whatever happened above.
        call_command("migrate", verbosity=0)
