"""Demo pages for `manage.py seed_demo`: the Comity portal and one site per association, with
its About, Purposes, Strategic plan, Bylaws, Membership and Board pages, a members-only
corner with a members-only document, and the editorial workflow.

Idempotent: each page, document and rule set is created only when missing, so running the
seed again changes nothing (and never undoes an editor's changes)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale, Page, Site

from cms.models import (
    AssociationHomePage,
    BoardComposition,
    BoardDirector,
    BoardPage,
    HomePage,
    MembershipPage,
    Residency,
    StandardPage,
)
from members.demo import DEMO_ASSOCIATIONS
from members.models import Association, Jurisdiction, User

PORTAL_INTRO = (
    "<p>Comity is where child support enforcement professionals ask practice questions, share "
    "procedures across jurisdictions, and follow their associations' newsletters, legislative "
    "updates and events.</p>"
)


def ensure_page_tree_root() -> Page:
    """Wagtail's migrations create the default locale and the root page; recreate them if a
    database was flushed (as transactional tests do) so seeding always has a tree to grow."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


def seed_portal() -> HomePage:
    portal = HomePage.objects.first()
    if portal is None:
        root = ensure_page_tree_root()
        portal = root.add_child(instance=HomePage(title="Comity", slug="comity", intro=PORTAL_INTRO))
    # Wagtail's first migration makes a placeholder "Welcome" page and points the default
    # site at it; the portal takes its place.
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=portal, is_default_site=True, site_name="Comity")
    elif site.root_page_id != portal.pk:
        placeholder = site.root_page
        site.root_page = portal
        site.site_name = "Comity"
        site.save()
        if type(placeholder.specific) is Page and not placeholder.get_children().exists():
            placeholder.delete()
    return portal


def seed_association_sites(portal: HomePage) -> None:
    for demo in DEMO_ASSOCIATIONS:
        association = Association.objects.get(slug=demo.slug)
        home = AssociationHomePage.objects.filter(slug=demo.slug).first()
        if home is None:
            home = portal.add_child(
                instance=AssociationHomePage(
                    title=demo.name, slug=demo.slug, tagline=demo.tagline,
                    intro=f"<p>{demo.region_description}</p>",
                )
            )
        if association.home_page_id != home.pk:
            association.home_page = home
            association.save(update_fields=["home_page"])


@transaction.atomic
def seed_pages() -> None:
    seed_association_sites(seed_portal())
    for demo in DEMO_ASSOCIATIONS:
        seed_association_pages(Association.objects.select_related("home_page").get(slug=demo.slug))


def seed_members_only_pages() -> None:
    """What needs the demo people and the associations' groups: a members-only page and
    document per association (restricted to its members group through Wagtail's own view
    restrictions, which follow memberships at once), the board seat rules and roster, and
    the editorial workflow."""
    from wagtail.models import PageViewRestriction

    from cms.services import ensure_association_site_setup, ensure_members_only_collection
    from members.models import Role, RoleGroup

    for demo in DEMO_ASSOCIATIONS:
        association = Association.objects.get(slug=demo.slug)
        home = association.home_page
        ensure_association_site_setup(association)
        seed_board(association)
        page = StandardPage.objects.child_of(home).filter(slug="members-corner").first()
        if page is None:
            minutes = demo_document(
                ensure_members_only_collection(association),
                title=f"{association.short_name} board minutes, October 2026",
                filename=f"{association.slug}-board-minutes-2026-10.pdf",
                lines=BOARD_MINUTES[association.slug],
            )
            page = publish_child(
                home,
                StandardPage(
                    title="Members' corner",
                    slug="members-corner",
                    intro=f"News and working documents for {association.short_name} members.",
                    body=[
                        ("heading", {"text": "This quarter", "level": "h2"}),
                        ("paragraph", "<p>Board minutes, committee sign-ups and the draft agenda for the next meeting are posted here first.</p>"),
                        ("document", {"document": minutes, "link_text": "", "description": "Approved at the November board meeting."}),
                    ],
                ),
            )
        members_group = RoleGroup.objects.get(association=association, role=Role.MEMBER).group
        restriction = PageViewRestriction.objects.filter(page=page).first()
        if restriction is None:
            restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set([members_group])


# --- Helpers ------------------------------------------------------------------------------------


def publish_child(parent: Page, page: Page) -> Page:
    """Add `page` under `parent` and publish it through a revision, as an editor would."""
    page.show_in_menus = True
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (Helvetica text), so demo documents open in any reader."""

    def escaped(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    operations = [f"BT /F1 16 Tf 72 720 Td ({escaped(title)}) Tj ET"]
    for number, line in enumerate(lines):
        operations.append(f"BT /F1 11 Tf 72 {690 - 18 * number} Td ({escaped(line)}) Tj ET")
    stream = "\n".join(operations).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return pdf


def demo_document(collection: Collection, *, title: str, filename: str, lines: list[str]):
    """The demo document called `title` in `collection`, created when missing. Its file has a
    fixed name and is written once, so seeding fresh databases never piles up copies."""
    Document = get_document_model()
    document = Document.objects.filter(collection=collection, title=title).first()
    if document is not None:
        return document
    document = Document(title=title, collection=collection)
    path = f"documents/{filename}"
    if default_storage.exists(path):
        document.file.name = path
    else:
        document.file.save(filename, ContentFile(demo_pdf(title, lines)), save=False)
    document.file_size = document.file.size
    document.save()
    return document


# --- Association pages --------------------------------------------------------------------------


def seed_association_pages(association: Association) -> None:
    from members.services import association_collection

    home = association.home_page
    content = ASSOCIATION_PAGES[association.slug]

    def child(slug):
        return home.get_children().filter(slug=slug).first()

    membership = child("membership")
    new_membership_page = membership is None
    if new_membership_page:
        # Made first for the other pages' "Become a member" button, then moved after them.
        membership = publish_child(
            home, MembershipPage(title="Membership", slug="membership", intro=content.membership_intro, why_join=content.why_join)
        )
    for slug, title, intro, body in content.standard_pages(membership):
        if child(slug) is not None:
            continue
        if slug == "bylaws":
            bylaws = demo_document(
                association_collection(association),
                title=f"{association.short_name} bylaws",
                filename=f"{association.slug}-bylaws.pdf",
                lines=content.bylaws_pdf_lines,
            )
            body = [*body, ("document", {"document": bylaws, "link_text": "The full bylaws (PDF)", "description": "As amended at the last annual meeting."})]
        publish_child(home, StandardPage(title=title, slug=slug, intro=intro, body=body))
    if new_membership_page:
        membership.move(home, pos="last-child")


@dataclass(frozen=True)
class AssociationPages:
    membership_intro: str
    why_join: list
    about: tuple[str, list]
    purposes: tuple[str, list]
    strategic_plan: tuple[str, list]
    bylaws: tuple[str, list]
    bylaws_pdf_lines: list[str]

    def standard_pages(self, membership_page: Page):
        join = ("call_to_action", {
            "text": "Membership is open to the people and agencies who do this work. It takes a few minutes to apply.",
            "page": membership_page, "url": "", "button_label": "Become a member",
        })
        return [
            ("about", "About us", self.about[0], [*self.about[1], join]),
            ("purposes", "Purposes", *self.purposes),
            ("strategic-plan", "Strategic plan", *self.strategic_plan),
            ("bylaws", "Bylaws", *self.bylaws),
        ]


def heading(text: str, level: str = "h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(html: str):
    return ("paragraph", html)


def quote(text: str, attribution: str = ""):
    return ("quote", {"quote": text, "attribution": attribution})


ASSOCIATION_PAGES = {
    "western": AssociationPages(
        membership_intro="Join the council that connects child support professionals across the states, tribes and territories of the West.",
        why_join=[
            heading("Why join"),
            paragraph(
                "<ul><li><b>Know who to call.</b> Members reach colleagues in the other jurisdiction's central registry, "
                "tribal program or court when a case stalls.</li>"
                "<li><b>Learn interstate practice.</b> Workshops and the annual conference cover UIFSA, controlling-order "
                "determinations, direct income withholding, tribal–state cooperation and Hague 2007 cases.</li>"
                "<li><b>Shape policy.</b> The council recommends legislative, organisational and procedural changes "
                "drawn from members' casework.</li>"
                "<li><b>Members' forum.</b> Ask practice questions and share procedures with peers who work the same cases.</li></ul>"
            ),
            heading("Dues"),
            paragraph("<p>Individual dues are set each year by the board. Agencies and tribal programs may sponsor their staff.</p>"),
        ],
        about=(
            "Public and private child support professionals of the West, working together since 1983.",
            [
                paragraph(
                    "<p>The council began in 1983, when child support leaders from Washington and Oregon invited their "
                    "neighbours to compare notes on the cases that cross state lines. It was founded as the Western "
                    "Interstate Child Support Enforcement Council; its name today, the Western Intergovernmental Child "
                    "Support Engagement Council, reflects what the work has become: cases that cross state, tribal, "
                    "territorial and national borders.</p>"
                ),
                heading("Who we are"),
                paragraph(
                    "<p>Our members are caseworkers and enforcement officers, agency attorneys, judges, commissioners and "
                    "hearing officers, court clerks, IV-D directors and managers, tribal IV-D program staff, and the "
                    "private businesses that serve child support agencies and custodial parents, from every state, tribe "
                    "and territory west of the Mississippi.</p>"
                ),
                quote(
                    "Half of my caseload has a parent in another jurisdiction. The council is where I learned who to "
                    "call, and what their tribunal needs to see.",
                    "An interstate caseworker, Nevada",
                ),
            ],
        ),
        purposes=(
            "Why the council exists, as its bylaws put it.",
            [
                paragraph(
                    "<ol><li>To foster interstate and inter-jurisdictional cooperation in the establishment of parentage "
                    "and the establishment and enforcement of support.</li>"
                    "<li>To exchange knowledge about interstate, inter-jurisdictional and international practice.</li>"
                    "<li>To hold meetings, workshops, seminars and conferences for the people who do this work.</li>"
                    "<li>To recommend and publicise legislative, organisational and procedural proposals that improve "
                    "the program.</li></ol>"
                ),
            ],
        ),
        strategic_plan=(
            "Where the council is going from 2025 to 2028.",
            [
                heading("1. Faster intergovernmental cases"),
                paragraph(
                    "<p>Cut the time from Transmittal #1 to the first action by the responding agency. We will publish "
                    "members' checklists for registration for enforcement, keep IRG profiles current, and share what "
                    "works with CSENet and QUICK.</p>"
                ),
                heading("2. Stronger tribal–state partnerships"),
                paragraph(
                    "<p>Help states and tribal IV-D programs honour each other's orders under FFCCSOA, with model "
                    "agreements for income withholding and service of process on tribal lands.</p>"
                ),
                heading("3. A prepared workforce"),
                paragraph(
                    "<p>Offer training in every region each year, mentor new interstate caseworkers, and record the "
                    "conference's practice sessions for members who cannot travel.</p>"
                ),
                heading("4. A voice for western practice"),
                paragraph(
                    "<p>Track federal and state proposals that affect interstate cases and tell members, in the "
                    "newsletter and legislative updates, what each would change in their daily work.</p>"
                ),
            ],
        ),
        bylaws=(
            "The rules the council governs itself by (summary).",
            [
                heading("Board of directors"),
                paragraph(
                    "<p>The council is governed by a board of seventeen directors. One must be a state IV-D director "
                    "from a western state; one an employee of a western state, tribal or territorial IV-D agency; one "
                    "from a private business serving child support agencies or custodial parents in a western state; "
                    "and one at large, who may reside in any state, tribe or territory. All other directors must "
                    "reside in jurisdictions west of the Mississippi, except where these bylaws provide otherwise.</p>"
                ),
                heading("Meetings and amendments"),
                paragraph(
                    "<p>The members meet each year at the annual conference. These bylaws may be amended by two-thirds "
                    "of the members voting, after thirty days' notice.</p>"
                ),
            ],
        ),
        bylaws_pdf_lines=[
            "Article I. Name: Western Intergovernmental Child Support Engagement Council.",
            "Article II. Purposes: interstate and inter-jurisdictional cooperation in support and parentage.",
            "Article III. Membership: public and private agencies and professionals of the West.",
            "Article IV. Board: seventeen directors, with a state IV-D director, a IV-D employee,",
            "  a private-sector director and an at-large director; the rest reside in western jurisdictions.",
            "Article V. Meetings: annually, at the conference. Article VI. Amendments: two-thirds vote.",
        ],
    ),
    "missouri": AssociationPages(
        membership_intro="Membership is open to everyone in Missouri who works on child support: courts, attorneys, judges, the state agency, federal staff and contractors.",
        why_join=[
            heading("Why join"),
            paragraph(
                "<ul><li><b>Training that counts.</b> The annual conference offers more than 15 CLE hours, including "
                "ethics, and MTR credits for state managers.</li>"
                "<li><b>Regional town halls.</b> Meet the clerks, prosecutors and caseworkers you work with in your "
                "region.</li>"
                "<li><b>The quarterly newsletter</b> with practice notes and legislative news.</li>"
                "<li><b>A vote</b> on the association's business, in categories A to G.</li></ul>"
            ),
        ],
        about=(
            "Missouri's child support professionals, together since 1977.",
            [
                paragraph(
                    "<p>The Missouri Child Support Enforcement Association was formed in 1977 to bring together everyone "
                    "who makes Missouri's child support program work: circuit clerks and court staff, prosecuting "
                    "attorneys and their staff, judges, commissioners and hearing officers, the Family Support "
                    "Division, federal Region VII staff, and the companies under contract with the state.</p>"
                ),
                heading("What we do"),
                paragraph(
                    "<p>We hold regional town halls across the state, an annual professional training conference "
                    "(open to non-members too), and publish a quarterly newsletter.</p>"
                ),
                quote(
                    "The town hall is the one afternoon a year when the clerk's office, the prosecutor and the "
                    "caseworkers sit at the same table.",
                    "A deputy circuit clerk, Southwest region",
                ),
            ],
        ),
        purposes=(
            "What the association is for.",
            [
                paragraph(
                    "<ol><li>To improve child support services to Missouri's families.</li>"
                    "<li>To provide education and training to the people who deliver them.</li>"
                    "<li>To improve communication among courts, prosecutors, the state agency, federal staff and "
                    "contractors.</li>"
                    "<li>To recommend legislation and procedures that make the program fairer and more effective.</li></ol>"
                ),
            ],
        ),
        strategic_plan=(
            "Priorities for 2026 to 2029.",
            [
                heading("Training"),
                paragraph("<p>Keep the annual conference at 15 or more CLE hours with live ethics sessions, and offer MTR credits every year.</p>"),
                heading("Every region, every year"),
                paragraph("<p>Hold a town hall in each of the seven regions, alternating in-person and online sessions.</p>"),
                heading("Membership"),
                paragraph("<p>Welcome new court staff and caseworkers in their first year, and keep retirees involved through category G.</p>"),
            ],
        ),
        bylaws=(
            "The association's rules (summary).",
            [
                heading("Voting membership"),
                paragraph(
                    "<p>Voting membership is open to seven categories: A, circuit clerks, court administrators and court "
                    "staff; B, Missouri government attorneys and staff; C, judges, commissioners and hearing officers; "
                    "D, State of Missouri child support employees; E, the federal Region VII director and Missouri "
                    "representatives; F, employees of the state's child support contractors; G, retirees of A to F.</p>"
                ),
                heading("Board of directors"),
                paragraph(
                    "<p>Eleven directors who reside in Missouri: four officers (president, vice president, secretary "
                    "and treasurer) and up to seven regional directors, one for each region.</p>"
                ),
            ],
        ),
        bylaws_pdf_lines=[
            "Article I. Name: Missouri Child Support Enforcement Association.",
            "Article II. Purposes: better child support services through training and communication.",
            "Article III. Membership: voting categories A to G.",
            "Article IV. Board: eleven directors residing in Missouri; four officers and",
            "  up to seven regional directors.",
            "Article V. Meetings: the annual meeting is held at the training conference.",
        ],
    ),
}

BOARD_MINUTES = {
    "western": [
        "Present: 15 of 17 directors; quorum confirmed.",
        "Conference: the host committee reported hotel contracts for next fall.",
        "Tribal-state workgroup: draft model withholding agreement circulated for comment.",
        "Treasurer's report accepted. Next meeting: January, by video.",
    ],
    "missouri": [
        "Present: 10 of 11 directors; quorum confirmed.",
        "Conference: 16.5 CLE hours approved, including 3 ethics hours.",
        "Town halls: Southeast and Northwest sessions set for the spring.",
        "Treasurer's report accepted. Next meeting: February, in Jefferson City.",
    ],
}


# --- Board --------------------------------------------------------------------------------------

# (seat type name, description, at least, at most, residency)
BOARD_RULES = {
    "western": {
        "total_seats": 17,
        "home": None,
        "summary": (
            "Seventeen directors: a state IV-D director from a western state, a IV-D employee of a western state, "
            "tribe or territory, a director from a private business serving agencies or custodial parents in a "
            "western state, and an at-large director from anywhere; all others reside west of the Mississippi."
        ),
        "seat_types": [
            ("State IV-D director", "The director of a western state's IV-D agency.", 1, 1, Residency.WESTERN_STATE),
            ("IV-D employee", "An employee of a western state, tribal or territorial IV-D agency.", 1, 1, Residency.WESTERN),
            ("Private sector", "From a private business serving child support agencies or custodial parents in a western state.", 1, 1, Residency.WESTERN),
            ("At-large", "A resident of any state, tribe or territory.", 1, 1, Residency.ANY),
            ("Director", "Any member residing west of the Mississippi.", 0, None, Residency.WESTERN),
        ],
    },
    "missouri": {
        "total_seats": 11,
        "home": "MO",
        "summary": "Eleven directors residing in Missouri: four officers and up to seven regional directors.",
        "seat_types": [
            ("Officer", "President, vice president, secretary or treasurer.", 4, 4, Residency.HOME),
            ("Regional director", "One for each of the association's regions.", 0, 7, Residency.HOME),
        ],
    },
}

# (name or member email, title, seat type, jurisdiction code, first year of a two-year term)
BOARD_ROSTERS = {
    "western": [
        ("mark.henley@western.comity.test", "President", "State IV-D director", "AK", 2025),
        ("Teresa Nakamura", "Vice president", "IV-D employee", "WA", 2026),
        ("Daniel Whitfield", "", "Private sector", "CO", 2025),
        ("Marcus Reid", "", "At-large", "OH", 2026),
        ("Helen Two Bulls", "Secretary", "Director", "tribe-sisseton-wahpeton-oyate", 2025),
        ("Rafael Montoya", "Treasurer", "Director", "NM", 2026),
        ("Linda Okafor", "", "Director", "TX", 2025),
        ("James Kealoha", "", "Director", "HI", 2026),
        ("Sofia Lindqvist", "", "Director", "MN", 2025),
        ("Brent Calloway", "", "Director", "OK", 2026),
        ("Ana Tuiasosopo", "", "Director", "AS", 2025),
        ("Wes Harjo", "", "Director", "tribe-muscogee-creek", 2026),
        ("Karen Schultz", "", "Director", "NE", 2025),
        ("Paul Begay", "", "Director", "tribe-navajo-nation", 2026),
        ("Megan O'Rourke", "", "Director", "OR", 2025),
        ("Victor Salas", "", "Director", "AZ", 2026),
        ("Jill Thompson", "", "Director", "UT", 2025),
    ],
    "missouri": [
        ("carla.ruiz@missouri.comity.test", "President", "Officer", "MO", 2025),
        ("Gary Lindholm", "Vice president", "Officer", "MO", 2026),
        ("Tamika Greene", "Secretary", "Officer", "MO", 2025),
        ("Robert Schaefer", "Treasurer", "Officer", "MO", 2026),
        ("Paula Meyer", "Kansas City region", "Regional director", "MO", 2025),
        ("Derrick Woods", "St. Louis region", "Regional director", "MO", 2026),
        ("Hannah Kline", "Northwest region", "Regional director", "MO", 2025),
        ("Jeff Baumann", "Northeast region", "Regional director", "MO", 2026),
        ("Lori Vance", "Central region", "Regional director", "MO", 2025),
        ("Mike Ostrander", "Southwest region", "Regional director", "MO", 2026),
    ],
}


def seed_board(association: Association) -> None:
    rules = BOARD_RULES[association.slug]
    composition = BoardComposition.objects.filter(association=association).first()
    if composition is None:
        composition = BoardComposition(
            association=association,
            total_seats=rules["total_seats"],
            summary=rules["summary"],
            home_jurisdiction=Jurisdiction.objects.get(code=rules["home"]) if rules["home"] else None,
        )
        composition.seat_types = [
            composition.seat_types.model(
                name=name, description=description, min_directors=least, max_directors=most, residency=residency
            )
            for name, description, least, most, residency in rules["seat_types"]
        ]
        composition.save()
    home = association.home_page
    if BoardPage.objects.child_of(home).exists():
        return
    seat_types = {seat_type.name: seat_type for seat_type in composition.seat_types.all()}
    roster = BOARD_ROSTERS[association.slug]
    jurisdictions = Jurisdiction.objects.in_bulk([row[3] for row in roster], field_name="code")
    members = User.objects.in_bulk([row[0] for row in roster if "@" in row[0]], field_name="email")
    directors = []
    for name, title, seat, code, first_year in roster:
        member = members.get(name)
        directors.append(BoardDirector(
            name="" if member else name, member=member, title=title, seat_type=seat_types[seat],
            jurisdiction=jurisdictions[code],
            term_start=datetime.date(first_year, 7, 1), term_end=datetime.date(first_year + 2, 6, 30),
        ))
    publish_child(
        home,
        BoardPage(
            title="Board of directors",
            slug="board",
            intro=f"<p>The directors who govern {association.short_name} between annual meetings, elected by the members for two-year terms.</p>",
            directors=directors,
        ),
    )
