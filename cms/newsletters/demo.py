"""Demo newsletters for `manage.py seed_demo`: for each association a newsletter with two
2026 issues, their articles (one members-only) and a couple of subscribers.

Idempotent: it creates only what is missing. Demo pages are created live without going
through publication, and each issue is recorded as "not emailed", so seeding never queues a
delivery that a worker would later send (and republishing a demo issue sends nothing).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.newsletters import services
from cms.newsletters.models import ArticleAuthor, NewsletterArticlePage, NewsletterIndexPage, NewsletterIssuePage
from members.models import Association, Jurisdiction, Role, RoleGroup, User


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    summary: str
    authors: list[tuple[str, str]]  # (name, affiliation)
    body: list[tuple[str, object]]
    tags: list[str] = field(default_factory=list)
    jurisdictions: list[str] = field(default_factory=list)  # Jurisdiction codes
    members_only: bool = False


@dataclass(frozen=True)
class DemoIssue:
    slug: str
    title: str
    volume: int
    number: int
    quarter: int
    days_ago: int
    editors_note: str
    articles: list[DemoArticle]


@dataclass(frozen=True)
class DemoNewsletter:
    association: str
    intro: str
    issues: list[DemoIssue]
    subscribers: list[str]


def paragraph(text: str) -> tuple[str, str]:
    return ("paragraph", f"<p>{text}</p>")


def heading(text: str) -> tuple[str, dict]:
    return ("heading", {"text": text, "level": "h2"})


def quote(text: str, attribution: str) -> tuple[str, dict]:
    return ("quote", {"quote": text, "attribution": attribution})


WESTERN = DemoNewsletter(
    association="western",
    intro=(
        "<p>The council's quarterly newsletter: interstate, tribal and international practice notes "
        "from across the west, conference news and what changes in federal rules mean for caseworkers.</p>"
    ),
    subscribers=["priya.natarajan@western.comity.test", "grace.yazzie@western.comity.test"],
    issues=[
        DemoIssue(
            slug="summer-2026", title="Summer 2026: Working across borders", volume=43, number=3, quarter=3, days_ago=110,
            editors_note=(
                "<p>This issue is about the cases that cross a line on the map: a state line, a reservation "
                "boundary or an ocean. Our thanks to the caseworkers from Arizona, Alaska and the Navajo Nation "
                "who shared their procedures, and to everyone who answered last spring's CSENet survey.</p>"
            ),
            articles=[
                DemoArticle(
                    slug="uifsa-registration-checklist",
                    title="Registering an out-of-state order for enforcement: a checklist that works",
                    summary="What western tribunals ask for when you register another state's order under UIFSA, and how to avoid a rejected packet.",
                    authors=[("Rosa Delgado", "Arizona Division of Child Support Services")],
                    tags=["uifsa", "registration", "controlling-order"],
                    jurisdictions=["AZ", "NM", "NV"],
                    body=[
                        paragraph("Most rejected registration packets fail for the same three reasons: a missing certified copy of the order, no sworn statement of arrears, or a Transmittal #1 that does not match the case the responding agency already has. None of these needs a lawyer to fix; all of them cost weeks."),
                        heading("What to send"),
                        paragraph("Send the letter of transmittal, two copies of the order (one certified), the sworn statement of arrears with the payment history it relies on, and the obligor's employer and address if you have them. If more than one order exists, say so, and ask for a determination of controlling order before you ask for enforcement."),
                        quote("We stopped losing a month per case when we started checking the IRG profile before the packet went out, not after it came back.", "Rosa Delgado"),
                        paragraph("Check the responding state's Intergovernmental Reference Guide profile every time: central registry addresses and filing rules change more often than anyone expects."),
                    ],
                ),
                DemoArticle(
                    slug="tribal-state-orders",
                    title="Tribal court orders and state enforcement under full faith and credit",
                    summary="How the Navajo Nation and two neighbouring states recognise each other's support orders without UIFSA.",
                    authors=[("Grace Yazzie", "Navajo Nation Child Support Enforcement Program"), ("Tom Brennan", "Idaho Child Support Services")],
                    tags=["tribal", "registration"],
                    jurisdictions=["tribe-navajo-nation", "AZ", "NM"],
                    body=[
                        paragraph("Tribes need not adopt UIFSA. The federal Full Faith and Credit for Child Support Orders Act is what obliges a state to honour a tribal court's order, and what obliges the tribe to honour the state's. In practice the work is in the paperwork: which office receives the order, and who certifies it."),
                        heading("What has worked"),
                        paragraph("Tribal IV-D programs and state agencies that meet quarterly and keep one named contact each resolve recognition questions in days. Written intergovernmental agreements help most when they name the documents each side sends, not just the principle."),
                        paragraph("If your state does not yet have an agreement with a tribal IV-D program near you, the council's tribal committee can share the templates its members use."),
                    ],
                ),
                DemoArticle(
                    slug="csenet-survey-results",
                    title="CSENet and QUICK: what our spring survey found",
                    summary="Forty-one agencies answered. Most use QUICK daily; fewer trust CSENet status transactions to close a case.",
                    authors=[("Mark Henley", "Alaska Child Support Services Division")],
                    tags=["csenet", "quick", "case-closure"],
                    jurisdictions=["AK", "WA", "OR"],
                    body=[
                        paragraph("Thank you to the forty-one agencies that answered. Thirty-four use QUICK every day to look up case and payment data held by another state; only nineteen rely on CSENet status transactions alone before closing a case where the other state has stopped responding."),
                        paragraph("The most common practice among the rest: document two CSENet attempts and one phone or email contact through the IRG before starting closure. We will discuss the results at the fall conference."),
                    ],
                ),
            ],
        ),
        DemoIssue(
            slug="fall-2026", title="Fall 2026: The 2024 final rules in practice", volume=43, number=4, quarter=4, days_ago=20,
            editors_note=(
                "<p>Two years after OCSS published its 2024 final rules, states are reporting what changed in "
                "their caseloads. This issue collects their notes, a report from the annual conference, and the "
                "board's plans for next year.</p>"
            ),
            articles=[
                DemoArticle(
                    slug="final-rules-two-years-on",
                    title="The 2024 final rules, two years on",
                    summary="Western IV-D agencies on what changed in review and adjustment, incarcerated parents and case closure.",
                    authors=[("Dana Whitaker", "Oregon Division of Child Support")],
                    tags=["modification", "incarceration", "case-closure"],
                    jurisdictions=["OR", "WA", "CA"],
                    body=[
                        paragraph("The rules asked agencies to set orders on evidence of what a parent can actually pay and to treat incarceration as something other than voluntary unemployment. Most western states had changed their guidelines before the compliance date; what is still changing is practice at intake."),
                        heading("Review and adjustment"),
                        paragraph("Agencies that start a review when they learn of an incarceration of more than 180 days, without waiting for a request, report fewer arrears that can never be collected. The council's interstate committee is collecting the notices each state sends so that responding agencies can recognise them."),
                        quote("The rule did not change our numbers overnight. It changed the first conversation we have with a parent.", "An Oregon enforcement supervisor"),
                    ],
                ),
                DemoArticle(
                    slug="e-iwo-employers",
                    title="e-IWO for employers in another state: direct withholding that sticks",
                    summary="Employers ignore paper orders from out of state; electronic income withholding orders get answered.",
                    authors=[("Priya Natarajan", "California Department of Child Support Services"), ("Keoni Kahale", "Hawaii Child Support Enforcement Agency")],
                    tags=["e-iwo", "direct-withholding", "employer"],
                    jurisdictions=["CA", "HI"],
                    body=[
                        paragraph("Direct income withholding lets you send the order straight to an employer in another state. Employers enrolled in e-IWO acknowledge it electronically, usually within two business days; paper orders to the same employers went unanswered a third of the time in our sample."),
                        paragraph("When an employer still does not withhold, the next step is an intergovernmental referral to the employer's state, not a second order."),
                    ],
                ),
                DemoArticle(
                    slug="board-notes-fall-2026",
                    title="From the board: nominations and the 2027 conference site",
                    summary="Members only: the board's notes on director nominations and the three cities bidding for next year's conference.",
                    authors=[("Mark Henley", "Alaska Child Support Services Division")],
                    tags=["training"],
                    members_only=True,
                    body=[
                        paragraph("Nominations for the four director seats that open in 2027 close on January 31. Remember the seat rules: one seat is reserved for a state IV-D director from a western state and one for a IV-D employee of a western state, tribe or territory."),
                        paragraph("Three cities have bid for the 2027 training conference. The board will choose in February, after the site visits; members' comments are welcome in the Association business forum."),
                    ],
                ),
            ],
        ),
    ],
)

MISSOURI = DemoNewsletter(
    association="missouri",
    intro=(
        "<p>MCSEA's quarterly newsletter for Missouri's clerks, attorneys, judges and hearing officers, "
        "state child support staff and contractors: regional town halls, the training conference and "
        "what is changing in Jefferson City and Washington.</p>"
    ),
    subscribers=["kevin.omalley@missouri.comity.test", "carla.ruiz@missouri.comity.test"],
    issues=[
        DemoIssue(
            slug="summer-2026", title="Summer 2026: Town halls across the regions", volume=49, number=3, quarter=3, days_ago=105,
            editors_note=(
                "<p>Seven regional town halls, more than two hundred of you in the room or on the line, and "
                "one question asked in every region: how will the new e-filing rules change registration of "
                "out-of-state orders? The answers are inside.</p>"
            ),
            articles=[
                DemoArticle(
                    slug="town-hall-roundup",
                    title="What we heard at the spring town halls",
                    summary="From Kansas City to the Southeast region: caseload, e-filing and the questions you asked most.",
                    authors=[("Beth Carver", "Missouri Family Support Division")],
                    tags=["registration", "uifsa"],
                    jurisdictions=["MO"],
                    body=[
                        paragraph("Every region asked about registration of out-of-state orders under UIFSA now that circuit clerks accept them through e-filing. The short answer from the clerks' panel: the certified copy still has to be a certified copy, and the sworn statement of arrears still needs its payment history."),
                        heading("Next round"),
                        paragraph("The fall town halls will be held online in two sessions so that every region can join. Send the topics you want covered to your regional representative."),
                    ],
                ),
                DemoArticle(
                    slug="genetic-testing-across-state-lines",
                    title="Genetic testing when the alleged father lives in another state",
                    summary="Who orders the test, who pays, and how long results take to come back.",
                    authors=[("Anita Shah", "Jackson County Prosecuting Attorney's Office")],
                    tags=["genetic-testing", "uifsa"],
                    jurisdictions=["MO", "KS"],
                    body=[
                        paragraph("Under UIFSA the initiating agency may ask the responding state to arrange testing where the alleged father lives. Kansas and Missouri agencies along the state line have agreed to accept each other's contracted laboratories, which has cut the wait for results from nine weeks to three."),
                    ],
                ),
            ],
        ),
        DemoIssue(
            slug="fall-2026", title="Fall 2026: Training conference recap", volume=49, number=4, quarter=4, days_ago=15,
            editors_note=(
                "<p>The annual training conference offered more than fifteen CLE hours, two ethics hours and MTR "
                "credits for state managers. Certificates are in your \u201cMy credits\u201d page; this issue "
                "recaps the sessions for those who could not attend.</p>"
            ),
            articles=[
                DemoArticle(
                    slug="conference-recap",
                    title="Conference recap: CLE, ethics and the 2024 final rules",
                    summary="The sessions, the speakers and what to read next.",
                    authors=[("Jerome Price", "Greene County Circuit Clerk's Office"), ("Carla Ruiz", "22nd Judicial Circuit (St. Louis City)")],
                    tags=["modification", "guidelines"],
                    jurisdictions=["MO"],
                    body=[
                        paragraph("The opening session walked through the 2024 final rules and what Missouri's guidelines already reflect. Commissioner Ruiz's ethics hour on ex parte contact in support cases was the best attended session of the conference."),
                        quote("Ask the question early: what can this parent actually pay? Every hearing after that goes better.", "Commissioner Carla Ruiz"),
                        paragraph("Slides from every session are in the members' corner."),
                    ],
                ),
                DemoArticle(
                    slug="e-iwo-for-clerks",
                    title="e-IWO and the circuit clerk: who sends what",
                    summary="Electronic income withholding orders reach employers faster; here is where the clerk's office fits.",
                    authors=[("Denise Fowler", "Show-Me Case Services (state contractor)")],
                    tags=["e-iwo", "employer"],
                    jurisdictions=["MO"],
                    body=[
                        paragraph("Most Missouri employers with more than fifty employees now receive withholding orders through e-IWO. Clerks still receive the paper orders judges sign; the Family Support Division sends the electronic notice to the employer."),
                    ],
                ),
                DemoArticle(
                    slug="board-minutes-fall-2026",
                    title="Board minutes: dues, regions and the 2027 conference",
                    summary="Members only: the board's decisions from its October meeting.",
                    authors=[("Carla Ruiz", "22nd Judicial Circuit (St. Louis City)")],
                    tags=["training"],
                    members_only=True,
                    body=[
                        paragraph("The board kept dues unchanged for 2027, approved a seventh regional representative for the Southeast region, and will hold the 2027 training conference in Springfield in September."),
                    ],
                ),
            ],
        ),
    ],
)

DEMO_NEWSLETTERS = [WESTERN, MISSOURI]


@transaction.atomic
def seed_newsletters() -> None:
    """Creates what is missing; safe to run again."""
    jurisdictions = {jurisdiction.code: jurisdiction for jurisdiction in Jurisdiction.objects.all()}
    for demo in DEMO_NEWSLETTERS:
        association = Association.objects.filter(slug=demo.association).first()
        if association is None or association.home_page is None:
            continue
        members_group = RoleGroup.objects.get(association=association, role=Role.MEMBER).group
        index_page = seed_index(association, demo)
        for demo_issue in demo.issues:
            issue = seed_issue(index_page, demo_issue)
            for demo_article in demo_issue.articles:
                seed_article(issue, demo_article, jurisdictions, members_group)
        for email in demo.subscribers:
            user = User.objects.filter(email__iexact=email).first()
            if user is not None:
                services.subscribe(user, association)


def seed_index(association: Association, demo: DemoNewsletter) -> NewsletterIndexPage:
    home = association.home_page
    index_page = NewsletterIndexPage.objects.child_of(home).first()
    if index_page is None:
        index_page = home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter", intro=demo.intro))
    return index_page


def seed_issue(index_page: NewsletterIndexPage, demo: DemoIssue) -> NewsletterIssuePage:
    issue = NewsletterIssuePage.objects.child_of(index_page).filter(slug=demo.slug).first()
    if issue is not None:
        return issue
    published_at = timezone.now() - timedelta(days=demo.days_ago)
    # Created live (no publication signal, so no delivery starts) and recorded as not
    # emailed, so that publishing it again from the admin never emails anyone either.
    issue = index_page.add_child(
        instance=NewsletterIssuePage(
            title=demo.title, slug=demo.slug, volume=demo.volume, number=demo.number, quarter=demo.quarter,
            year=2026, editors_note=demo.editors_note, first_published_at=published_at, last_published_at=published_at,
        )
    )
    services.record_issue_as_not_emailed(issue, "Demo content: not emailed.")
    return issue


def seed_article(issue, demo: DemoArticle, jurisdictions: dict, members_group) -> NewsletterArticlePage:
    article = NewsletterArticlePage.objects.child_of(issue).filter(slug=demo.slug).first()
    if article is not None:
        return article
    article = NewsletterArticlePage(
        title=demo.title, slug=demo.slug, summary=demo.summary, body=demo.body,
        first_published_at=issue.first_published_at, last_published_at=issue.first_published_at,
        authors=[ArticleAuthor(name=name, affiliation=affiliation) for name, affiliation in demo.authors],
        jurisdictions=[jurisdictions[code] for code in demo.jurisdictions if code in jurisdictions],
    )
    article.tags.add(*demo.tags)
    article = issue.add_child(instance=article)
    if demo.members_only:
        restriction = PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set([members_group])
    return article
