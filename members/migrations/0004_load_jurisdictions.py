"""Load the reference jurisdictions: states and DC, territories, tribal IV-D programs,
federal offices and foreign countries.

Source: ../shared/DOMAIN.md, section "Jurisdictions" (west-of-the-Mississippi list, the ten
HHS regions, the territories, the tribal, federal and international entries).

The tribal list is *demo* data (DOMAIN.md: a 2009 guide; about 60 tribes run IV-D programs
nationally). Admins add, rename or deactivate jurisdictions in the Django admin; this
migration only seeds them. The freely associated states DOMAIN.md lists under HHS region IX
(Micronesia, Marshall Islands, Palau) are not U.S. territories and are deliberately left out.

The data is kept here as plain tuples: a migration must not import app code that may change.
Loading is idempotent (update_or_create by code); the reverse deletes exactly the codes
loaded here and nothing an admin added.
"""

from django.db import migrations

# (code, name, west_of_mississippi, hhs_region)
STATES = (
    ("AL", "Alabama", False, 4),
    ("AK", "Alaska", True, 10),
    ("AZ", "Arizona", True, 9),
    ("AR", "Arkansas", True, 6),
    ("CA", "California", True, 9),
    ("CO", "Colorado", True, 8),
    ("CT", "Connecticut", False, 1),
    ("DE", "Delaware", False, 3),
    ("FL", "Florida", False, 4),
    ("GA", "Georgia", False, 4),
    ("HI", "Hawaii", True, 9),
    ("ID", "Idaho", True, 10),
    ("IL", "Illinois", False, 5),
    ("IN", "Indiana", False, 5),
    ("IA", "Iowa", True, 7),
    ("KS", "Kansas", True, 7),
    ("KY", "Kentucky", False, 4),
    ("LA", "Louisiana", True, 6),
    ("ME", "Maine", False, 1),
    ("MD", "Maryland", False, 3),
    ("MA", "Massachusetts", False, 1),
    ("MI", "Michigan", False, 5),
    ("MN", "Minnesota", True, 5),
    ("MS", "Mississippi", False, 4),
    ("MO", "Missouri", True, 7),
    ("MT", "Montana", True, 8),
    ("NE", "Nebraska", True, 7),
    ("NV", "Nevada", True, 9),
    ("NH", "New Hampshire", False, 1),
    ("NJ", "New Jersey", False, 2),
    ("NM", "New Mexico", True, 6),
    ("NY", "New York", False, 2),
    ("NC", "North Carolina", False, 4),
    ("ND", "North Dakota", True, 8),
    ("OH", "Ohio", False, 5),
    ("OK", "Oklahoma", True, 6),
    ("OR", "Oregon", True, 10),
    ("PA", "Pennsylvania", False, 3),
    ("RI", "Rhode Island", False, 1),
    ("SC", "South Carolina", False, 4),
    ("SD", "South Dakota", True, 8),
    ("TN", "Tennessee", False, 4),
    ("TX", "Texas", True, 6),
    ("UT", "Utah", True, 8),
    ("VT", "Vermont", False, 1),
    ("VA", "Virginia", False, 3),
    ("WA", "Washington", True, 10),
    ("WV", "West Virginia", False, 3),
    ("WI", "Wisconsin", False, 5),
    ("WY", "Wyoming", True, 8),
)

DISTRICTS = (("DC", "District of Columbia", False, 3),)

TERRITORIES = (
    ("GU", "Guam", True, 9),
    ("AS", "American Samoa", True, 9),
    ("MP", "Northern Mariana Islands", True, 9),
    ("PR", "Puerto Rico", False, 2),
    ("VI", "U.S. Virgin Islands", False, 2),
)

# Demo: DOMAIN.md's tribal IV-D programs in the west. Region is that of the state the tribe
# is mainly in. Codes are stable slugs; edit names or add tribes in the Django admin.
TRIBES = (
    ("tribe-navajo-nation", "Navajo Nation", True, 9),  # AZ
    ("tribe-tlingit-haida", "Central Council of Tlingit & Haida Indian Tribes of Alaska", True, 10),  # AK
    ("tribe-puyallup", "Puyallup", True, 10),  # WA
    ("tribe-lummi", "Lummi", True, 10),  # WA
    ("tribe-quinault", "Quinault", True, 10),  # WA
    ("tribe-tulalip", "Tulalip", True, 10),  # WA
    ("tribe-port-gamble-sklallam", "Port Gamble S'Klallam", True, 10),  # WA
    ("tribe-nooksack", "Nooksack", True, 10),  # WA
    ("tribe-nez-perce", "Nez Perce", True, 10),  # ID
    ("tribe-umatilla", "Umatilla", True, 10),  # OR
    ("tribe-klamath", "Klamath", True, 10),  # OR
    ("tribe-confederated-salish-kootenai", "Confederated Salish & Kootenai", True, 8),  # MT
    ("tribe-northern-arapaho", "Northern Arapaho", True, 8),  # WY
    ("tribe-eastern-shoshone", "Eastern Shoshone", True, 8),  # WY
    ("tribe-pueblo-of-zuni", "Pueblo of Zuni", True, 6),  # NM
    ("tribe-mescalero-apache", "Mescalero Apache", True, 6),  # NM
    ("tribe-three-affiliated-tribes", "Three Affiliated Tribes", True, 8),  # ND
    ("tribe-sisseton-wahpeton-oyate", "Sisseton-Wahpeton Oyate", True, 8),  # SD
    ("tribe-winnebago-tribe-of-nebraska", "Winnebago Tribe of Nebraska", True, 7),  # NE
    ("tribe-osage", "Osage", True, 6),  # OK
    ("tribe-cherokee", "Cherokee", True, 6),  # OK
    ("tribe-chickasaw", "Chickasaw", True, 6),  # OK
    ("tribe-muscogee-creek", "Muscogee (Creek)", True, 6),  # OK
    ("tribe-alabama-coushatta", "Alabama-Coushatta", True, 6),  # TX
)

# OCSS and its ten HHS regional offices; west is True where the office city is west of the
# Mississippi (VI Dallas, VII Kansas City, VIII Denver, IX San Francisco, X Seattle).
FEDERAL = (
    ("federal-ocss", "Office of Child Support Services (OCSS)", False, None),
    ("federal-region-1", "HHS Region I (Boston)", False, 1),
    ("federal-region-2", "HHS Region II (New York)", False, 2),
    ("federal-region-3", "HHS Region III (Philadelphia)", False, 3),
    ("federal-region-4", "HHS Region IV (Atlanta)", False, 4),
    ("federal-region-5", "HHS Region V (Chicago)", False, 5),
    ("federal-region-6", "HHS Region VI (Dallas)", True, 6),
    ("federal-region-7", "HHS Region VII (Kansas City)", True, 7),
    ("federal-region-8", "HHS Region VIII (Denver)", True, 8),
    ("federal-region-9", "HHS Region IX (San Francisco)", True, 9),
    ("federal-region-10", "HHS Region X (Seattle)", True, 10),
)

# Demo: DOMAIN.md's international entries.
FOREIGN = (
    ("intl-canada", "Canada", False, None),
    ("intl-mexico", "Mexico", False, None),
    ("intl-united-kingdom", "United Kingdom", False, None),
    ("intl-germany", "Germany", False, None),
    ("intl-australia", "Australia", False, None),
    ("intl-hague-other", "Hague 2007 country (other)", False, None),
)

# (kind, rows); kinds are the values of Jurisdiction.Kind.
JURISDICTIONS = (
    ("state", STATES),
    ("district", DISTRICTS),
    ("territory", TERRITORIES),
    ("tribe", TRIBES),
    ("federal", FEDERAL),
    ("foreign", FOREIGN),
)

LOADED_CODES = tuple(code for _kind, rows in JURISDICTIONS for code, _name, _west, _region in rows)


def load_jurisdictions(apps, schema_editor):
    Jurisdiction = apps.get_model("members", "Jurisdiction")
    db = schema_editor.connection.alias
    for kind, rows in JURISDICTIONS:
        for code, name, west, region in rows:
            Jurisdiction.objects.using(db).update_or_create(
                code=code,
                defaults={"kind": kind, "name": name, "west_of_mississippi": west, "hhs_region": region},
            )


def unload_jurisdictions(apps, schema_editor):
    Jurisdiction = apps.get_model("members", "Jurisdiction")
    db = schema_editor.connection.alias
    Jurisdiction.objects.using(db).filter(code__in=LOADED_CODES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_memberships_roles_profiles"),
    ]

    operations = [
        migrations.RunPython(load_jurisdictions, unload_jurisdictions),
    ]
