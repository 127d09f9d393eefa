"""Demo content for `manage.py seed_demo`: an updates index on each association's site and six
updates (a federal OCSS rule, two Missouri bills, an Oregon/Washington rule change, a tribal
code amendment and a Hague 2007 item). Dates are relative to today so "effective soon" always
has something in it. Idempotent: an update whose slug exists is left alone."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from cms.legislation.models import LegislativeUpdateIndexPage, LegislativeUpdatePage, Level, Status
from cms.legislation.services import add_update
from members.models import Association, Jurisdiction, User

INDEX_SLUG = "legislative-updates"
INDEX_TITLE = "Legislative and regulatory updates"
INDEX_INTROS = {
    "western": (
        "<p>Federal rules, state bills, tribal codes and international developments that change how "
        "western states, tribes and territories work interstate and international cases. The council's "
        "legislative committee tracks them; send tips to the committee chair.</p>"
    ),
    "missouri": (
        "<p>Missouri bills and rules, and the federal changes behind them, with what they mean for "
        "circuit clerks, government attorneys, hearing officers and Family Support Division staff.</p>"
    ),
}
# Who adds each association's updates (members.demo); the superuser if they are missing.
EDITORS = {"western": "dana.whitaker@western.comity.test", "missouri": "jerome.price@missouri.comity.test"}


@dataclass(frozen=True)
class DemoUpdate:
    association: str
    slug: str
    title: str
    level: str
    jurisdictions: tuple[str, ...]
    bill_number: str
    status: str
    summary: str
    impact: str
    source_url: str
    published_days_ago: int
    # Key dates in days from today (negative: in the past); None when not known.
    introduced: int | None = None
    signed: int | None = None
    effective: int | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


DEMO_UPDATES = [
    DemoUpdate(
        association="western",
        slug="ocss-final-rule-intergovernmental-case-processing",
        title="OCSS final rule modernises intergovernmental case processing",
        level=Level.FEDERAL,
        jurisdictions=("federal-ocss",),
        bill_number="45 CFR Parts 303 and 307 (final rule)",
        status=Status.SIGNED,
        introduced=-410,
        signed=-34,
        effective=56,
        published_days_ago=30,
        summary=(
            "The Office of Child Support Services published its final rule on intergovernmental cases: "
            "the 13 intergovernmental forms may be exchanged and signed electronically, responding "
            "agencies must acknowledge a Transmittal #1 within 10 working days, and CSENet status "
            "transactions replace paper follow-ups."
        ),
        impact=(
            "<p>Initiating agencies can stop mailing paper packets once their partner state accepts electronic "
            "exchange. Review local procedures for:</p><ul><li>electronic signatures on the General Testimony "
            "and the Uniform Support Petition;</li><li>logging the 10-working-day acknowledgment of a "
            "Transmittal #1 in the case record;</li><li>using CSENet status requests before a Transmittal #2 "
            "follow-up.</li></ul><p>Systems staff should plan the changes to the statewide system before the "
            "effective date; the rule allows an advance planning document for the work.</p>"
        ),
        source_url="https://www.federalregister.gov/",
        tags=("uifsa", "csenet", "intergovernmental-forms"),
    ),
    DemoUpdate(
        association="western",
        slug="oregon-washington-uifsa-registration-rules",
        title="Oregon and Washington align their rules on registering out-of-state orders",
        level=Level.STATE,
        jurisdictions=("OR", "WA"),
        bill_number="OAR 137-055-7190; WAC 388-14A-7100",
        status=Status.EFFECTIVE,
        introduced=-200,
        signed=-75,
        effective=-14,
        published_days_ago=12,
        summary=(
            "Oregon's Division of Child Support and Washington's Division of Child Support adopted matching "
            "rules on what a registration for enforcement must include, so either agency accepts the other's "
            "packet without a second request for documents."
        ),
        impact=(
            "<p>A registration packet now needs only the certified order, the sworn statement of arrears and "
            "the registration letter; the extra certified payment history both agencies used to ask for is "
            "no longer required when the payment record comes through CSENet or QUICK.</p><p>Registration for "
            "<em>modification</em> is unchanged: confirm continuing, exclusive jurisdiction has ended first.</p>"
        ),
        source_url="https://secure.sos.state.or.us/oard/",
        tags=("registration", "uifsa", "controlling-order"),
    ),
    DemoUpdate(
        association="western",
        slug="puyallup-tribal-code-child-support-guidelines",
        title="Puyallup Tribal Council amends its child support code and guidelines",
        level=Level.TRIBAL,
        jurisdictions=("tribe-puyallup",),
        bill_number="Puyallup Tribal Code Title 7, Chapter 7.24",
        status=Status.SIGNED,
        introduced=-120,
        signed=-21,
        effective=41,
        published_days_ago=5,
        summary=(
            "The amended chapter updates the tribal support guidelines, allows in-kind support where the "
            "parents agree, and sets how the tribal IV-D program honours state orders under the Full Faith "
            "and Credit for Child Support Orders Act."
        ),
        impact=(
            "<p>State agencies sending a case to the tribal program should expect the tribal court to "
            "recognise the state order under FFCCSOA; the tribe does not adopt UIFSA. In-kind support "
            "credited by the tribal court will appear on the tribal payment record, not in the state's "
            "distribution system, so check it before computing arrears.</p>"
        ),
        source_url="https://www.puyallup-tribe.com/",
        tags=("tribal", "guidelines", "ffccsoa"),
    ),
    DemoUpdate(
        association="western",
        slug="hague-2007-electronic-transmission",
        title="Hague 2007: more countries exchange applications electronically",
        level=Level.INTERNATIONAL,
        jurisdictions=("intl-hague-other", "intl-germany"),
        bill_number="Hague Convention of 23 November 2007, Article 13",
        status=Status.EFFECTIVE,
        introduced=-300,
        signed=-160,
        effective=-45,
        published_days_ago=47,
        summary=(
            "Germany and several other Contracting States now accept Convention applications and supporting "
            "documents through the secure electronic transmission system, replacing courier packets for new "
            "applications and requests for specific measures."
        ),
        impact=(
            "<p>For a case with a parent in Germany, the U.S. central authority forwards your application "
            "electronically; prepare scanned, signed forms and translations as separate files. Keep the "
            "original paper order: the receiving authority may still ask for it before recognition.</p>"
        ),
        source_url="https://www.hcch.net/",
        tags=("hague-2007", "international"),
    ),
    DemoUpdate(
        association="missouri",
        slug="hb-1422-electronic-income-withholding",
        title="HB 1422: employers must accept income withholding orders electronically",
        level=Level.STATE,
        jurisdictions=("MO",),
        bill_number="HB 1422",
        status=Status.SIGNED,
        introduced=-320,
        signed=-140,
        effective=37,
        published_days_ago=2,
        summary=(
            "Signed by the Governor, HB 1422 requires Missouri employers with 50 or more employees to receive "
            "income withholding orders through e-IWO and to answer a National Medical Support Notice within "
            "20 business days."
        ),
        impact=(
            "<p>Family Support Division staff should send withholding orders to covered employers through "
            "e-IWO only; paper orders to those employers are no longer needed. Circuit clerks will see fewer "
            "employer calls about paper orders. Government attorneys can cite the new section when an employer "
            "ignores a direct income withholding order from another state.</p>"
        ),
        source_url="https://house.mo.gov/",
        tags=("e-iwo", "employer", "nmsn", "direct-withholding"),
    ),
    DemoUpdate(
        association="missouri",
        slug="sb-712-review-adjustment-incarcerated-parents",
        title="SB 712 (prefiled): review and adjustment when a parent is incarcerated",
        level=Level.STATE,
        jurisdictions=("MO",),
        bill_number="SB 712",
        status=Status.INTRODUCED,
        introduced=-6,
        published_days_ago=4,
        summary=(
            "Prefiled for the coming session, SB 712 would have the Family Support Division start a review "
            "of the order, without a request, when it learns a parent will be incarcerated for more than "
            "180 days."
        ),
        impact=(
            "<p>If it passes, expect more reviews opened from Department of Corrections data matches and "
            "more hearings on imputed income. Hearing officers and clerks should watch the committee "
            "hearing; the association's legislative committee will report at the next regional town hall.</p>"
        ),
        source_url="https://www.senate.mo.gov/",
        tags=("modification", "incarceration", "review-and-adjustment"),
    ),
]


def editor_for(association: Association) -> User:
    email = EDITORS.get(association.slug)
    editor = User.objects.filter(email=email).first() if email else None
    return editor or User.objects.filter(is_superuser=True).order_by("pk").first()


def ensure_index(association: Association) -> LegislativeUpdateIndexPage:
    home = association.home_page
    index_page = LegislativeUpdateIndexPage.objects.child_of(home).first()
    if index_page is None:
        index_page = LegislativeUpdateIndexPage(
            title=INDEX_TITLE, slug=INDEX_SLUG, intro=INDEX_INTROS.get(association.slug, ""),
            show_in_menus=True,  # listed among the site's sections on its home page
        )
        home.add_child(instance=index_page)
        index_page.save_revision().publish()
    return index_page


def seed_legislative_updates() -> None:
    """Creates what is missing; safe to run again."""
    today = timezone.localdate()
    now = timezone.now()

    def day(offset: int | None):
        return today + timedelta(days=offset) if offset is not None else None

    codes = {code for demo in DEMO_UPDATES for code in demo.jurisdictions}
    jurisdictions = {jurisdiction.code: jurisdiction for jurisdiction in Jurisdiction.objects.filter(code__in=codes)}
    associations = Association.objects.filter(
        slug__in={demo.association for demo in DEMO_UPDATES}, home_page__isnull=False
    ).select_related("home_page")
    for association in associations:
        index_page = ensure_index(association)
        existing = set(LegislativeUpdatePage.objects.child_of(index_page).values_list("slug", flat=True))
        editor = editor_for(association)
        for demo in DEMO_UPDATES:
            if demo.association != association.slug or demo.slug in existing:
                continue
            add_update(
                index_page,
                by=editor,
                jurisdictions=[jurisdictions[code] for code in demo.jurisdictions],
                tags=demo.tags,
                published_at=now - timedelta(days=demo.published_days_ago),
                title=demo.title,
                slug=demo.slug,
                level=demo.level,
                bill_number=demo.bill_number,
                status=demo.status,
                introduced_date=day(demo.introduced),
                signed_date=day(demo.signed),
                effective_date=day(demo.effective),
                summary=demo.summary,
                impact_on_practice=demo.impact,
                source_url=demo.source_url,
            )
