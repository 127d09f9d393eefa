"""Demo events for `manage.py seed_demo`: each association's credit kinds and events page,
MCSEA's annual training conference (sessions with CLE, ethics and MTR hours, open to
non-members), a Kansas City regional town hall (members only), a WICSEC webinar on UIFSA
2008 and intergovernmental case processing, and a few registrations.

Idempotent: it creates only what is missing. Dates are relative to today, so the events
stay upcoming whenever the demo is loaded.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from wagtail.models import Page, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from cms.events import services
from cms.events.models import CreditKind, EventIndexPage, EventPage, EventSession, SessionCredit
from members.models import Association, Jurisdiction, Region, User

CREDIT_KINDS = {
    "missouri": [
        ("cle", "CLE (general)", "Missouri Bar continuing legal education; 50 minutes make one hour.", 50, "0.1"),
        ("ethics", "CLE ethics", "Missouri Bar ethics hours (live sessions only); 50 minutes make one hour.", 50, "0.1"),
        ("mtr", "MTR (Leadership Development)", "State management training rule hours for supervisors and managers.", 60, "0.25"),
    ],
    "western": [
        ("cle", "CLE", "Continuing legal education hours; check your own state bar's rules.", 60, "0.25"),
        ("ethics", "CLE ethics", "Ethics and professionalism hours.", 60, "0.25"),
    ],
}

EVENTS_INTRO = {
    "missouri": "<p>Regional town halls, the annual professional training conference and other training from MCSEA. Most events offer continuing legal education and management training credit.</p>",
    "western": "<p>WICSEC's annual training conference, webinars and workshops on interstate, inter-jurisdictional and international child support practice.</p>",
}


def seed_events() -> None:
    """Creates what is missing; safe to run again."""
    associations = {association.slug: association for association in Association.objects.filter(slug__in=CREDIT_KINDS)}
    for slug, association in associations.items():
        if association.home_page_id is None:
            continue
        seed_credit_kinds(association)
        index = seed_events_index(association)
        builders = {"missouri": [missouri_conference, missouri_town_hall], "western": [western_webinar]}[slug]
        for build in builders:
            build(association, index)
    seed_registrations()


def seed_credit_kinds(association: Association) -> None:
    for position, (code, name, description, minutes, increment) in enumerate(CREDIT_KINDS[association.slug]):
        CreditKind.objects.get_or_create(
            association=association, code=code,
            defaults={"name": name, "description": description, "minutes_per_hour": minutes, "increment": increment, "position": position},
        )


def seed_events_index(association: Association) -> EventIndexPage:
    home = association.home_page.specific
    index = EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(instance=EventIndexPage(title="Events and training", slug="events", intro=EVENTS_INTRO[association.slug]))
    return index


def upcoming_weekday(days_ahead: int, weekday: int) -> dt.date:
    """The first `weekday` (Monday 0) on or after today + days_ahead."""
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def add_event(association: Association, index: EventIndexPage, slug: str, event: EventPage, sessions: list[dict]) -> EventPage | None:
    if EventPage.objects.child_of(index).filter(slug=slug).exists():
        return None
    kinds = {kind.code: kind for kind in CreditKind.objects.filter(association=association)}
    event.slug = slug
    for order, session in enumerate(sessions):
        credits = session.pop("credits", {})
        item = EventSession(sort_order=order, **session)
        item.credits = [SessionCredit(credit_kind=kinds[code], hours=Decimal(hours)) for code, hours in credits.items()]
        event.sessions.add(item)
    # Added live, without a revision (publishing one would save it all again), and indexed for
    # Wagtail's "usage" once rather than after every session and credit line is saved.
    with disable_reference_index_auto_update():
        page = index.add_child(instance=event)
    ReferenceIndex.create_or_update_for_object(page)
    return page


def missouri_conference(association: Association, index: EventIndexPage) -> None:
    first_day = upcoming_weekday(290, weekday=1)  # a Tuesday in early autumn next year
    second_day, third_day = first_day + dt.timedelta(days=1), first_day + dt.timedelta(days=2)

    def at(day, start, end):
        return {"date": day, "start_time": dt.time(*start), "end_time": dt.time(*end)}

    add_event(
        association, index, "annual-training-conference",
        EventPage(
            title=f"MCSEA Annual Training Conference {first_day.year}",
            kind=EventPage.Kind.CONFERENCE,
            summary="Three days of training for Missouri's clerks, attorneys, judges, caseworkers and managers, with CLE, ethics and MTR credit. Non-members are welcome.",
            description=(
                "<p>The association's professional training conference brings together every part of Missouri's child "
                "support program: circuit clerks and court staff, prosecuting and agency attorneys, judges and "
                "commissioners, Family Support Division staff, federal Region VII staff and our contractors.</p>"
                "<p>This year's programme covers interstate practice under UIFSA 2008, enforcement remedies, review "
                "and modification for incarcerated parents, and leadership for supervisors. The conference offers more "
                "than 15 hours of CLE, including 2 ethics hours, and MTR hours for state managers.</p>"
            ),
            start_date=first_day, start_time=dt.time(8, 30), end_date=third_day, end_time=dt.time(12, 0),
            time_zone="America/Chicago",
            venue_name="Riverside Conference Center",
            venue_address="100 Riverside Drive\nJefferson City, MO 65101",
            audience=EventPage.Audience.OPEN,
            capacity=250,
            registration_closes_on=first_day - dt.timedelta(days=14),
            fee="$175 members, $225 non-members (includes lunches)",
            accreditation=(
                "Missouri Bar CLE accreditation applied for: one CLE hour is 50 minutes of instruction; ethics hours are "
                "live only. MTR hours are reported to the Family Support Division. Attendance is verified by session sign-in."
            ),
        ),
        [
            {**at(first_day, (8, 30), (10, 0)), "title": "Opening plenary: the state of child support in Missouri",
             "speakers": "Director, Missouri Family Support Division\nRegion VII Program Manager, Office of Child Support Services",
             "description": "Caseload, collections and federal performance measures, and what the next year holds for the program.",
             "credits": {"cle": "1.8", "mtr": "1.5"}},
            {**at(first_day, (10, 15), (11, 45)), "title": "UIFSA 2008 in practice: registration for enforcement and for modification",
             "speakers": "Anita Shah, Assistant Prosecuting Attorney, Jackson County\nHon. Carla Ruiz, Family Court Commissioner, 22nd Judicial Circuit",
             "description": "Which documents a tribunal needs, contesting registration, and when continuing, exclusive jurisdiction has ended.",
             "credits": {"cle": "1.8"}},
            {**at(first_day, (13, 0), (14, 40)), "title": "Ethics for IV-D attorneys: who is the client when the State is the party?",
             "speakers": "Missouri Bar ethics counsel (invited)",
             "description": "Conflicts, communications with unrepresented parents, and confidentiality of case data.",
             "credits": {"ethics": "2.0"}},
            {**at(first_day, (15, 0), (16, 30)), "title": "Income withholding across state lines: e-IWO and direct withholding",
             "speakers": "Employer services unit, Family Support Division",
             "description": "When to send a withholding order straight to an out-of-state employer, and what to do when the employer ignores it.",
             "credits": {"cle": "1.8"}},
            {**at(second_day, (8, 30), (10, 0)), "title": "Determining the controlling order when two states issued orders",
             "speakers": "Kevin O'Malley, Child Support Caseworker, Family Support Division",
             "description": "Working through a two-order case from the Transmittal #1 to the Notice of Determination of Controlling Order.",
             "credits": {"cle": "1.8"}},
            {**at(second_day, (10, 15), (12, 0)), "title": "Review and modification for incarcerated parents",
             "speakers": "Panel of circuit clerks and hearing officers",
             "description": "Starting a review without a request, notice to the parent in a correctional facility, and arrears management.",
             "credits": {"cle": "2.1", "mtr": "1.75"}},
            {**at(second_day, (13, 30), (15, 0)), "title": "Leading through change: supervising caseworkers in hybrid offices",
             "speakers": "Beth Carver, Regional Manager, Family Support Division",
             "description": "Coaching, workload measures and keeping new caseworkers connected.",
             "credits": {"mtr": "1.5"}},
            {**at(second_day, (13, 30), (15, 0)), "title": "Tribal and state orders: recognition under full faith and credit",
             "speakers": "Tribal child support program director (invited)",
             "description": "How Missouri courts and agencies recognise and enforce tribal orders under FFCCSOA, and working with tribal IV-D programs.",
             "credits": {"cle": "1.8"}},
            {**at(second_day, (15, 15), (16, 45)), "title": "Medical support: the National Medical Support Notice in practice",
             "speakers": "Jerome Price, Deputy Circuit Clerk, Greene County",
             "credits": {"cle": "1.8"}},
            {**at(third_day, (8, 30), (10, 0)), "title": "Enforcement remedies roundtable: FIDM, license suspension and passport denial",
             "speakers": "Denise Fowler, Show-Me Case Services\nDeputy circuit clerks from the Southwest and Southeast regions",
             "credits": {"cle": "1.8"}},
            {**at(third_day, (10, 15), (12, 0)), "title": "Annual business meeting and awards",
             "speakers": "MCSEA Board of Directors"},
        ],
    )


def missouri_town_hall(association: Association, index: EventIndexPage) -> None:
    day = timezone.localdate() + dt.timedelta(days=15)
    day += dt.timedelta(days=(2 - day.weekday()) % 7)  # a Wednesday
    region = Region.objects.filter(association=association, slug="kansas-city").first()
    add_event(
        association, index, "kansas-city-town-hall",
        EventPage(
            title="Kansas City regional town hall",
            kind=EventPage.Kind.TOWN_HALL,
            summary="Members in the Kansas City region meet the board, hear legislative news and raise practice questions for the next conference.",
            description=(
                "<p>Bring your questions about interstate referrals, income withholding and court scheduling. Board "
                "members report on the legislative session and the conference programme, and we close with an open "
                "discussion.</p>"
            ),
            start_date=day, start_time=dt.time(10, 0), end_date=day, end_time=dt.time(11, 30),
            time_zone="America/Chicago",
            online_url="https://meet.mcsea.example/kansas-city-town-hall",
            region=region,
            audience=EventPage.Audience.MEMBERS,
            capacity=60,
        ),
        [
            {"date": day, "start_time": dt.time(10, 0), "end_time": dt.time(11, 30),
             "title": "Legislative update and open discussion",
             "speakers": "Beth Carver, MCSEA\nCarla Ruiz, MCSEA Board of Directors", "credits": {"mtr": "1.5"}},
        ],
    )


def western_webinar(association: Association, index: EventIndexPage) -> None:
    day = upcoming_weekday(50, weekday=3)  # a Thursday in the new year
    add_event(
        association, index, "uifsa-intergovernmental-webinar",
        EventPage(
            title="UIFSA 2008 and intergovernmental case processing: a refresher",
            kind=EventPage.Kind.WEBINAR,
            summary="A live webinar on initiating and responding to intergovernmental cases: forms, timeframes and the controlling-order rules.",
            description=(
                "<p>For caseworkers, agency attorneys and tribal program staff who work interstate and tribal cases. "
                "We walk through an intergovernmental referral from Transmittal #1 to enforcement, the federal "
                "timeframes for initiating and responding agencies, direct income withholding, and how tribes and "
                "states honour each other's orders under full faith and credit.</p>"
            ),
            start_date=day, start_time=dt.time(10, 0), end_date=day, end_time=dt.time(11, 30),
            time_zone="America/Los_Angeles",
            online_url="https://webinars.wicsec.example/uifsa-2008-refresher",
            audience=EventPage.Audience.OPEN,
        ),
        [
            {"date": day, "start_time": dt.time(10, 0), "end_time": dt.time(11, 30),
             "title": "Initiating, responding and the one-order world",
             "speakers": "Tom Brennan, Agency Attorney, Idaho Child Support Services\nGrace Yazzie, Supervisor, Navajo Nation Child Support Enforcement Program",
             "credits": {"cle": "1.5"}},
        ],
    )


def seed_registrations() -> None:
    """A few registrations made through the same services as the site (seed_demo suppresses
    their emails)."""
    wanted = [
        ("missouri", "annual-training-conference", "beth.carver@missouri.comity.test"),
        ("missouri", "annual-training-conference", "jerome.price@missouri.comity.test"),
        ("missouri", "kansas-city-town-hall", "anita.shah@missouri.comity.test"),
        ("western", "uifsa-intergovernmental-webinar", "priya.natarajan@western.comity.test"),
    ]
    for association_slug, event_slug, email in wanted:
        event = demo_event(association_slug, event_slug)
        user = User.objects.filter(email=email).first()
        if event is None or user is None or event.registrations.filter(user=user).exists():
            continue
        services.register_member(user, event)
    conference = demo_event("missouri", "annual-training-conference")
    guest_email = "marcus.bell@dcf.kansas.example"
    if conference is not None and not conference.registrations.filter(email=guest_email).exists():
        services.register_guest(
            conference, name="Marcus Bell", email=guest_email, agency="Kansas Department for Children and Families",
            jurisdiction=Jurisdiction.objects.filter(code="KS").first(),
        )


def demo_event(association_slug: str, event_slug: str) -> EventPage | None:
    home = Association.objects.filter(slug=association_slug).values_list("home_page", flat=True).first()
    if home is None:
        return None
    return EventPage.objects.live().descendant_of(Page.objects.get(pk=home)).filter(slug=event_slug).first()
