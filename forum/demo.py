"""Demo forum for `manage.py seed_demo`: the category taxonomy from DOMAIN.md and practice
questions, shared procedures and discussions written by the demo people.

Idempotent: categories are updated by slug; a demo topic is recognised by its title and
category and is never created twice. Topics, replies, accepted answers and helpful votes
go through forum.services, like any member's. The posts are illustrations of practice,
not legal advice, and hold no case data: no names of parents or children, no case numbers.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from textwrap import dedent

from django.utils import timezone

from forum import services
from forum.models import Category, HelpfulVote, Post, Topic
from members.demo import DEMO_ASSOCIATIONS, DEMO_PEOPLE
from members.models import Association, Jurisdiction, Role, RoleGroup, User

# --- Categories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    description: str
    visibility: str = Category.Visibility.MEMBERS


# The interstate commons: shared by every association, seen by members of any of them.
COMMONS_CATEGORIES = [
    DemoCategory(
        "interstate-uifsa", "Interstate & UIFSA",
        "Registration for enforcement or modification, controlling-order determinations, CEJ, "
        "long-arm jurisdiction and the intergovernmental forms under UIFSA.",
    ),
    DemoCategory(
        "establishment-parentage", "Establishment & parentage",
        "Establishing support orders and legal parentage across jurisdictions: voluntary "
        "acknowledgments, genetic testing and service of process.",
    ),
    DemoCategory(
        "enforcement-remedies", "Enforcement remedies",
        "Tax refund offset, passport denial, license suspension, FIDM levies and the other tools "
        "for collecting past-due support.",
    ),
    DemoCategory(
        "income-withholding-employers", "Income withholding & employers",
        "Direct income withholding, e-IWO, employer compliance and new-hire matches from the NDNH.",
    ),
    DemoCategory(
        "medical-support", "Medical support",
        "National Medical Support Notices, health coverage the child can actually use, and cash "
        "medical support.",
    ),
    DemoCategory(
        "review-modification", "Review & modification",
        "Review and adjustment against the guidelines, modification under UIFSA, and orders for "
        "incarcerated parents.",
    ),
    DemoCategory(
        "payments-distribution-arrears", "Payments, distribution & arrears",
        "Arrears, interest, distribution of collections and reconciling payment records between "
        "jurisdictions.",
    ),
    DemoCategory(
        "case-management-closure", "Case management & closure",
        "Intergovernmental timeframes, central registries, the IRG and the federal case closure "
        "criteria.",
    ),
    DemoCategory(
        "tribal-child-support", "Tribal child support",
        "Tribal IV-D programs, full faith and credit for tribal orders under FFCCSOA, and "
        "state-tribal cooperation.",
    ),
    DemoCategory(
        "international-hague-2007", "International cases (Hague 2007)",
        "Applications under the Hague 2007 Convention and cases with foreign reciprocating countries.",
    ),
    DemoCategory(
        "courts-legal-practice", "Courts & legal practice",
        "Hearings, evidence and testimony across borders, for agency attorneys, judges, hearing "
        "officers and court clerks.",
    ),
    DemoCategory(
        "systems-data-exchange", "Systems & data exchange",
        "CSENet, QUICK, the FPLS and the other data IV-D agencies exchange with each other.",
    ),
    DemoCategory(
        "training-professional-development", "Training & professional development",
        "Training for new and experienced staff, conferences, CLE and management training "
        "credits; open to everyone.",
        visibility=Category.Visibility.PUBLIC,
    ),
]

# Each association's own categories; the slug is prefixed with the association's.
ASSOCIATION_BUSINESS = "association-business"
BOARD = "board"


def association_category_slug(association_slug: str, suffix: str) -> str:
    return f"{association_slug}-{suffix}"


def seed_categories() -> dict[str, Category]:
    """Create or update every demo category; returns them by slug. An admin's choice of
    `hold_first_posts` is left alone."""
    categories = {}
    for position, demo in enumerate(COMMONS_CATEGORIES):
        categories[demo.slug], _ = Category.objects.update_or_create(
            slug=demo.slug,
            defaults={
                "association": None, "parent": None, "name": demo.name, "description": demo.description,
                "position": position, "visibility": demo.visibility, "group": None,
            },
        )
    position = 100
    for demo_association in DEMO_ASSOCIATIONS:
        association = Association.objects.get(slug=demo_association.slug)
        board_group = RoleGroup.objects.get(association=association, role=Role.BOARD).group
        short = association.short_name
        for suffix, name, description, visibility, group in (
            (
                ASSOCIATION_BUSINESS, "Association business",
                f"{short} members only: meetings, conferences, committees and association news.",
                Category.Visibility.MEMBERS, None,
            ),
            (
                BOARD, "Board",
                f"{short} board of directors only: agendas, drafts and decisions in progress.",
                Category.Visibility.GROUP, board_group,
            ),
        ):
            slug = association_category_slug(association.slug, suffix)
            categories[slug], _ = Category.objects.update_or_create(
                slug=slug,
                defaults={
                    "association": association, "parent": None, "name": name, "description": description,
                    "position": position, "visibility": visibility, "group": group,
                },
            )
            position += 1
    return categories


# --- Topics ----------------------------------------------------------------------------------


def md(text: str) -> str:
    return dedent(text).strip()


@dataclass(frozen=True)
class DemoReply:
    author: str  # first name of a demo person, as in their email address
    body: str
    days_after: float  # when it was written, counted from the opening post
    accepted: bool = False  # the asker accepts it as the answer
    helpful: tuple[str, ...] = ()  # who marked it helpful


@dataclass(frozen=True)
class DemoTopic:
    category: str
    kind: str
    title: str
    author: str
    days_ago: float
    body: str
    jurisdictions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    replies: tuple[DemoReply, ...] = field(default_factory=tuple)


QUESTION, PROCEDURE, DISCUSSION = Topic.Kind.QUESTION, Topic.Kind.PROCEDURE, Topic.Kind.DISCUSSION

DEMO_TOPICS = [
    # --- Practice questions ----------------------------------------------------------------
    DemoTopic(
        "interstate-uifsa", QUESTION,
        "Registering an out-of-state order for enforcement only: which documents does your tribunal require?",
        "beth", 142, md("""
            We're sending a batch of enforcement-only registrations to western states this quarter.
            Missouri keeps continuing, exclusive jurisdiction on these orders: we're not asking anyone
            to modify, only to enforce current support and the arrears.

            Our packet follows UIFSA §602:

            - Transmittal #1 and the Letter of Transmittal Requesting Registration
            - two copies of the order, one of them certified, with every modification
            - a certified statement of arrears from the custodian of our payment records
            - what we know about the obligor's address, employer and assets

            Does your tribunal want anything beyond that? Do you need the Uniform Support Petition
            when it's enforcement only, and does anyone still insist on paper certified copies?
        """),
        jurisdictions=("MO", "OR", "WA"), tags=("uifsa", "registration"),
        replies=(
            DemoReply("dana", md("""
                That's the right list for Oregon. For enforcement only we don't need the Uniform
                Support Petition.

                Two things slow us down. First, an arrears statement that stops months before the
                transmittal: bring it up to the month you send it. Second, missing modifications: if
                we register the original order without the later one, the §605 notice describes the
                wrong order and the obligor has an easy contest.

                Once it's registered we send the §605 notice. The obligor has 20 days to ask for a
                hearing; after that the order and the arrears are confirmed.
            """), 3, accepted=True, helpful=("kevin", "rosa")),
            DemoReply("luis", md("""
                Washington is similar. Scanned certified copies sent electronically are fine:
                UIFSA §316 says a document can't be excluded because of how it was transmitted.

                If payments should go somewhere other than your state disbursement unit, say so on
                the transmittal. It's the last item on the §602 list and the one most often left blank.
            """), 4),
            DemoReply("tom", md("""
                If there's more than one order anywhere, say so and send all of them. §602(d) needs
                a request for a controlling-order determination along with the registration, and the
                registering tribunal can't just pick one.

                Also make sure the packet shows each child's date of birth. Duration of current
                support follows the issuing state's law (§604), and we can't tell when it ends
                without it.
            """), 6),
        ),
    ),
    DemoTopic(
        "interstate-uifsa", QUESTION,
        "Two orders, two states: how do you request a determination of controlling order?",
        "priya", 121, md("""
            We have a California order from 2014 and an Arizona order from 2019 that was entered
            without anyone noticing the first one. The obligee and child moved back to California;
            the obligor now lives in Nevada.

            We want one order to enforce and reconciled arrears before we do anything else. Who asks
            for the determination: the IV-D agency, or does a party have to file? And what do you
            need from the other state so the payment history arrives in time?
        """),
        jurisdictions=("CA", "AZ", "NV"), tags=("controlling-order", "uifsa", "arrears"),
        replies=(
            DemoReply("tom", md("""
                The agency can ask. Under UIFSA §207(c) a party or a support enforcement agency
                may request the determination, from a tribunal with personal jurisdiction over both
                the obligor and the individual obligee. With the obligor in Nevada, check how you
                have it: under §202, jurisdiction acquired in the 2014 case continues as long as
                California has continuing jurisdiction over its order.

                With the request (§207(d)): a copy of every order in effect and the record of payments
                under each, and notice to every party whose rights may be affected. The tribunal's
                order has to state the basis for the determination, prospective support, and the
                consolidated arrears and interest under all the orders, with credit for payments
                (§209). Then whoever obtained it files a certified copy within 30 days with every
                tribunal that issued or registered an earlier order (§207(g)).
            """), 2, accepted=True, helpful=("priya", "rosa", "kevin")),
            DemoReply("rosa", md("""
                From the Arizona side: ask us for the certified payment history on the 2019 order
                early. Under 45 CFR 303.7 we have 30 working days to send order and payment
                information for a controlling-order determination, or to tell you when it will
                come. Use a Transmittal #2 if there's an open case between us, #3 if there isn't.
            """), 3),
            DemoReply("dana", md("""
                Run the §207(b) steps before you file, so you know what you're asking for.

                1. Which tribunals still have CEJ? California's does: the obligee and child live
                   there. Arizona's doesn't: nobody lives in Arizona any more.
                2. If only one tribunal has CEJ, its order controls. So expect the California order
                   to control from here on.

                The Arizona order still matters for the past. The determination states consolidated
                arrears under all of the orders, crediting every payment once.
            """), 5),
            DemoReply("priya", md("""
                Thank you, this is what I needed. We'll file with our own tribunal and send the
                Transmittal #2 to Arizona this week.
            """), 6),
        ),
    ),
    DemoTopic(
        "income-withholding-employers", QUESTION,
        "Employer in another state ignores our direct income withholding order: next step?",
        "sam", 97, md("""
            We sent an Income Withholding for Support directly to a Washington employer under UIFSA
            §501, on the federal IWO form with a copy of the order. That was three months ago. The
            NDNH match confirms the obligor works there. No withholding, and no answer to two
            follow-up letters. The employer isn't enrolled in e-IWO.

            Before we open a full case in Washington: what has worked for you?
        """),
        jurisdictions=("tribe-tlingit-haida", "WA"), tags=("direct-withholding", "employer", "e-iwo", "ndnh"),
        replies=(
            DemoReply("luis", md("""
                First check you're writing to payroll, not the worksite. Employers can give a
                separate address for income withholding orders in their new-hire reports, and large
                employers often process IWOs at one payroll office in another state.

                If that's not it, send us a Transmittal #3 asking for help with the employer. A call
                from our employer team is often enough, and it doesn't need a full case.
            """), 2, accepted=True, helpful=("sam", "keoni")),
            DemoReply("tom", md("""
                If they still won't withhold, there are two routes:

                - **Administrative enforcement without registration (UIFSA §507).** Send the order
                  and the IWO to Washington's support enforcement agency and ask it to use its own
                  administrative remedies.
                - **Register the order in Washington (§601–§602)** and ask for enforcement there. An
                  employer that wilfully fails to comply with another state's withholding order faces
                  the same penalties as for one of its own state's orders (§505), and federal law
                  makes an employer liable for what it should have withheld.

                Keep proof of when the employer received the IWO. Withholding must start by the
                first pay period that occurs 14 days after the date of the order, and payments are
                due within 7 business days of payday.
            """), 4, helpful=("sam",)),
            DemoReply("rosa", md("""
                Check the form itself too. Employers set aside IWOs that aren't regular on their
                face. We had a national retailer ignore ours for months because the per-pay-period
                amounts were blank; a corrected form started withholding the next cycle.
            """), 5),
            DemoReply("sam", md("""
                Found it: the new-hire record had a payroll address in another state, and we had
                been writing to the store. We re-sent the IWO there and asked them to enrol in e-IWO.
                Keeping the §507 route in mind if it stalls.
            """), 9),
        ),
    ),
    DemoTopic(
        "courts-legal-practice", QUESTION,
        "Does your state accept e-signatures on the General Testimony form?",
        "jerome", 88, md("""
            More of the General Testimony forms we receive are signed electronically: typed names
            with "/s/", pasted signature images, and certificates from signing services. A few of
            our judges have asked whether that is enough.

            UIFSA asks for testimony under penalty of perjury, and I can't find a wet-signature
            requirement anywhere. Before we write this into our clerk procedures: how do other
            courts and agencies handle it?
        """),
        jurisdictions=("MO", "OR", "AZ"), tags=("uifsa",),
        replies=(
            DemoReply("dana", md("""
                We accept them. UIFSA §316(b) makes the testimony of a party or witness outside the
                state admissible if it's given under penalty of perjury; it doesn't ask for a notary.
                §316(e) says a document can't be excluded because it was transmitted electronically.
                The signature itself falls under our electronic transactions law.

                What we check: the penalty-of-perjury statement is there, and the signature block
                says who signed and when.
            """), 1, helpful=("jerome",)),
            DemoReply("carla", md("""
                From the bench: I treat an electronically signed General Testimony like an ink one.
                If a party disputes the signature, the witness can testify by phone or video
                (§316(f) requires us to allow it), and that settles it faster than arguing about
                the form.

                Where I am strict is exhibits. Attach the order and the payment history as separate,
                legible documents.
            """), 2),
            DemoReply("rosa", md("""
                A tip for clerks: if your e-filing system flattens PDFs, a signing service's
                certificate can disappear. The agency keeps the service's completion record in the
                case file in case anyone asks.
            """), 4),
        ),
    ),
    DemoTopic(
        "review-modification", QUESTION,
        "Obligor incarcerated in another state: how do you handle review and adjustment?",
        "keoni", 76, md("""
            The order is ours, and the custodial parent and child still live in Hawaii. The obligor
            is serving a three-year sentence in Oregon. We'd rather review the order than let
            arrears build that will never be paid.

            1. Do we still have CEJ to modify, with the obligor out of state?
            2. How do you get income information and the obligor's participation from a prison
               in another state?
        """),
        jurisdictions=("HI", "OR"), tags=("incarceration", "modification", "cej", "guidelines"),
        replies=(
            DemoReply("tom", md("""
                Yes. Under UIFSA §205 your tribunal keeps CEJ as long as the obligor, the obligee
                or the child lives in your state. The obligee and child are there, so you modify
                your own order under your own guidelines; no registration in Oregon.

                Federal rules back the review: 45 CFR 302.56 doesn't let guidelines treat
                incarceration as voluntary unemployment, and 45 CFR 303.8 covers reviews when a
                parent is incarcerated for more than 180 days.
            """), 1, accepted=True, helpful=("keoni", "priya")),
            DemoReply("dana", md("""
                For the obligor's side: the Oregon Department of Corrections' offender search gives
                the facility and the projected release date. Facilities will set up a phone
                appearance if the records office has the hearing date in good time, and §316(f) lets
                the obligor testify by phone or video.

                Put the facility's inmate number on anything you mail, or it comes back. If you'd
                rather we serve the papers, a Transmittal #3 for service of process works.
            """), 3),
            DemoReply("priya", md("""
                Plan for release too. We calendar another review shortly after the projected release
                date, so the order goes back up once the parent can work.

                And check your own state's law: California, for example, suspends support by
                operation of law during most incarcerations of more than 90 consecutive days
                (Family Code §4007.5), so for us the review is partly about confirming that.
            """), 5),
        ),
    ),
    DemoTopic(
        "tribal-child-support", QUESTION,
        "Tribal court order and state enforcement: how do you recognise it under full faith and credit?",
        "rosa", 64, md("""
            We received a Navajo Nation family court support order with a request to enforce it
            against an obligor who now works off the reservation, in Phoenix. Some of our staff want
            to treat it as an interstate registration under UIFSA; others aren't sure UIFSA applies
            at all. Part of the order also provides for in-kind support.

            How do your offices recognise and enforce tribal orders?
        """),
        jurisdictions=("AZ", "tribe-navajo-nation"), tags=("tribal", "registration", "uifsa"),
        replies=(
            DemoReply("grace", md("""
                Thanks for asking before acting. Two sources of law point the same way:

                - **FFCCSOA (28 U.S.C. §1738B)** requires states to give full faith and credit to
                  a tribal court's child support order when the tribal court had jurisdiction and
                  the parties had notice and a chance to be heard. Tribes don't have to adopt UIFSA
                  for this to apply.
                - **UIFSA** counts an Indian nation or tribe as a "state", so your tribunal can
                  register our order for enforcement under §601–§602, exactly as it would another
                  state's, and send the §605 notice.

                Send us a Transmittal #1 and we'll send the certified order and our payment record.
                The central contact is in our IRG profile.
            """), 1, accepted=True, helpful=("rosa", "sam")),
            DemoReply("sam", md("""
                On the in-kind part: federal rules let tribal guidelines include non-cash support,
                and the tribal order decides what counts as a payment. Don't convert it to cash
                yourselves. Ask the tribal program how it records in-kind credit, so your arrears
                match theirs.
            """), 2),
            DemoReply("dana", md("""
                One caution for later: a state can't modify a tribal order unless the tribal court
                has lost continuing, exclusive jurisdiction or the parties consent in writing. FFCCSOA
                uses the same one-order rules as UIFSA.
            """), 4),
            DemoReply("rosa", md("""
                Registered it under §602 with the certified copy and the tribal payment record, and
                we're crediting in-kind support as the tribal program records it. Thank you.
            """), 8),
        ),
    ),
    DemoTopic(
        "international-hague-2007", QUESTION,
        "Hague 2007 case with a parent in Germany: who prepares the application?",
        "kevin", 55, md("""
            The custodial parent has a Missouri order; the obligor moved to Germany and works there.
            My team assumed the U.S. Central Authority in Washington, D.C. prepares the application
            and sends it to Germany. Is that right, or is it ours to do? Which forms?
        """),
        jurisdictions=("MO", "intl-germany"), tags=("hague-2007",),
        replies=(
            DemoReply("mark", md("""
                It's yours. OCSS is the U.S. Central Authority, but state IV-D agencies carry out
                the Central Authority functions for their own cases. You prepare the application and
                send it directly to Germany's Central Authority, the Federal Office of Justice
                (Bundesamt für Justiz).

                With an existing Missouri order, it's an application for recognition and enforcement:

                - the Transmittal form
                - the Application for recognition and enforcement
                - the complete text of the order, or an Abstract of a Decision
                - a Statement of Enforceability, and a Statement of Proper Notice if the obligor
                  didn't appear
                - a statement of arrears and the Financial Circumstances form

                Check Germany's Country Profile on the Hague Conference website before you send.
            """), 2, accepted=True, helpful=("kevin", "beth")),
            DemoReply("priya", md("""
                Budget time for translation. Under Article 44 documents go with a translation into
                the requested state's language unless its Central Authority agrees otherwise, so
                plan on German.

                Germany has to acknowledge receipt within six weeks (Article 12). After that, status
                comes through their Central Authority, not the local court.
            """), 3),
            DemoReply("anita", md("""
                From the legal side: don't start a new establishment case against the obligor in
                Germany; you have an order, so it's recognition and enforcement. And if the obligor
                later asks a German court to change it, Article 18 generally keeps modification
                here as long as the creditor still lives in the United States.
            """), 4),
        ),
    ),
    DemoTopic(
        "enforcement-remedies", QUESTION,
        "Passport release after a lump-sum payment: how fast does your agency process it?",
        "denise", 47, md("""
            Our customer service line gets this call every week: a parent pays a lump sum to clear
            arrears because they have to travel for work, and wants to know when the passport
            hold lifts.

            What do you tell callers, and how long does it really take from payment to the State
            Department clearing the hold?
        """),
        jurisdictions=("MO",), tags=("passport-denial", "arrears"),
        replies=(
            DemoReply("beth", md("""
                What we tell callers:

                - The hold was placed because arrears reached $2,500. We release it once the payment
                  has posted and cleared; certified funds clear faster than a personal check.
                - After we remove the passport indicator, the release goes to OCSS and then the State
                  Department. It isn't same-day, so don't book non-refundable travel on the strength
                  of this call.
                - The release doesn't issue a passport. They still complete their application with
                  the State Department.
            """), 1, helpful=("denise", "kevin")),
            DemoReply("rosa", md("""
                Ask whether any other state certified them. Each state that submitted the case for
                passport denial has to release it; paying you doesn't clear another state's
                certification. That's the most common reason a "released" parent still can't get a
                passport.
            """), 2, helpful=("denise",)),
            DemoReply("mark", md("""
                For a genuine emergency, such as a death or life-threatening illness of a family
                member abroad, the state can ask OCSS for an expedited release once it has decided to
                release. Have the caller bring documentation. For routine travel we quote two to
                three weeks.
            """), 3),
            DemoReply("denise", md("""
                Very helpful, especially the other-state certification. We're adding that check to
                our call script.
            """), 5),
        ),
    ),
    DemoTopic(
        "case-management-closure", QUESTION,
        "Closing a case when the other state stops responding on CSENet: what do you document?",
        "mark", 39, md("""
            We're the responding state on an enforcement case. Months ago we asked the initiating
            state for an updated arrears statement and the obligee's current address: CSENet
            requests, a Transmittal #2 and an email. Nothing back, and we can't go on without it.

            What do you document before closing, and which closure criterion fits?
        """),
        jurisdictions=("AK",), tags=("case-closure", "csenet"),
        replies=(
            DemoReply("grace", md("""
                45 CFR 303.11(b) has a criterion for this: the responding agency documents that the
                initiating agency failed to take an action essential for the next step. The file
                should show:

                - what you asked for, and why you can't proceed without it
                - each request with its date and channel (CSENet, Transmittal #2, email, phone)
                - that you tried the IRG contact, not only the worker who sent the case

                Then give the initiating agency written notice 60 calendar days before closing. If
                they answer with what you need within those 60 days, the case stays open.
            """), 1, helpful=("mark",)),
            DemoReply("beth", md("""
                Before the 60-day notice, call their central registry (the number is in the IRG) and
                ask whether the case moved to another worker. Many of our "no response" cases turn out
                to be sitting in a departed worker's queue.
            """), 2),
            DemoReply("priya", md("""
                Copy the CSENet transaction history into the case notes, not only the system: it shows
                whether your requests were even acknowledged. And when you do close, send the closure
                notice so their case isn't left pointing at yours.
            """), 3),
        ),
    ),
    DemoTopic(
        "interstate-uifsa", QUESTION,
        "Transmittal #3 or a full intergovernmental referral for one employer subpoena?",
        "anita", 33, md("""
            We have a modification hearing here next month. The obligor says his hours were cut.
            His employer is in Oregon and hasn't answered our administrative subpoena for payroll
            records. I don't need Oregon to open a case, just one set of wage records.

            Is a Transmittal #3 the right tool, or will you ask me for a full referral?
        """),
        jurisdictions=("MO", "OR"), tags=("uifsa", "employer", "modification"),
        replies=(
            DemoReply("dana", md("""
                Transmittal #3 is the right tool. It asks for limited services without opening a
                case, and assistance with discovery is one of them; under UIFSA §318 our tribunal
                can compel a response to your discovery request.

                Say exactly what you need (employer, period, which records) and give the hearing date
                so we can prioritise. A Transmittal #1 would open a full case you'd then have to close.
            """), 1, accepted=True, helpful=("anita",)),
            DemoReply("tom", md("""
                Also try the employer's payroll processor or verification service directly; many
                answer out-of-state IV-D requests without a local subpoena. Records with a custodian's
                declaration under penalty of perjury are admissible under §316(b).
            """), 2),
            DemoReply("anita", md("""
                Sent the Transmittal #3 this morning, with the hearing date. Thanks.
            """), 3),
        ),
    ),
    DemoTopic(
        "review-modification", QUESTION,
        "NCP jailed for 14 months: can we start a review without a request?",
        "kevin", 26, md("""
            The obligor was sentenced last month to 14 months in a state facility here in Missouri.
            Current support keeps accruing at the full amount, and neither parent has asked for a
            review. Can we start one ourselves, or do we have to wait for a request?
        """),
        jurisdictions=("MO",), tags=("incarceration", "modification", "guidelines"),
        replies=(
            DemoReply("anita", md("""
                It depends on the option your state plan chose under 45 CFR 303.8. When the agency
                learns a parent will be incarcerated for more than 180 calendar days, it either:

                1. starts a review without a request, after notice to both parents, if the state plan
                   elected that, or
                2. within 15 business days, sends both parents notice of their right to ask for a
                   review.

                Fourteen months is well over 180 days, so one of the two applies. Check the policy
                manual for which one we use.
            """), 1, helpful=("kevin",)),
            DemoReply("carla", md("""
                When it reaches me, incarceration is not treated as voluntary unemployment; 45 CFR
                302.56 doesn't allow it. I look at actual income and assets, any work-release wages,
                and the release date. Bring the sentencing information and the projected release date
                to the hearing.
            """), 3),
            DemoReply("beth", md("""
                Set a reminder for the release date. Our regional teams review again a few months
                after release, so the order goes back up when the parent can work.
            """), 4),
        ),
    ),
    DemoTopic(
        "establishment-parentage", QUESTION,
        "Genetic testing when the alleged father lives on a reservation in another state?",
        "dana", 19, md("""
            Our case: the mother and child live in Oregon. The alleged father lives on the Quinault
            Indian Nation's reservation in Washington and hasn't answered our letters. We know of no
            other ties he has to Oregon.

            How do you arrange genetic testing here: through Washington, through the tribe, or under
            our own long-arm jurisdiction?
        """),
        jurisdictions=("OR", "WA", "tribe-quinault"), tags=("genetic-testing", "tribal", "long-arm", "service-of-process"),
        replies=(
            DemoReply("grace", md("""
                Start with the tribe. The Quinault Nation runs a tribal IV-D program, and tribal IV-D
                programs take intergovernmental cases from states. A state agency can't serve process
                or order testing on the reservation on its own authority; the tribe's court and
                program have their own procedures, and going through them is faster and respects
                their jurisdiction.

                Send a Transmittal #1, or a #3 if you only need help with the test.
            """), 1, helpful=("dana",)),
            DemoReply("tom", md("""
                On long-arm: UIFSA §201 reaches a nonresident in a parentage case if, for example,
                the child may have been conceived in your state or he lived with the child there. If
                none of those facts exists, you don't have personal jurisdiction, and an Oregon order
                would be open to challenge. Even with a basis, serving him on the reservation has to
                follow tribal law.

                Without one, it's a two-jurisdiction case: the responding tribunal decides parentage
                under its own law (UIFSA §402 in a state).
            """), 2),
            DemoReply("sam", md("""
                From a tribal program: tell us which lab your contract uses and where its nearest
                collection site is; many reservations are a long drive from one. We can often
                schedule the collection alongside an appointment at our office, with the lab's
                collector keeping the chain of custody. Ask up front how the tribal program handles
                testing costs.
            """), 4),
            DemoReply("dana", md("""
                Helpful, thank you. I'll call the tribal program first, then send the Transmittal #1.
            """), 5),
        ),
    ),
    DemoTopic(
        "medical-support", QUESTION,
        "NMSN: the employer's plan has no providers where the child lives. What then?",
        "keoni", 14, md("""
            The obligor's employer is in Washington and enrolled the child after our NMSN, but the
            plan is an HMO with no providers on our island. Coverage is technically in place and
            premiums are being withheld, yet the custodial parent can't use it.

            How do you handle this?
        """),
        jurisdictions=("HI", "WA"), tags=("nmsn", "employer"),
        replies=(
            DemoReply("mark", md("""
                We see this all the time in rural Alaska. Coverage the child can't reach doesn't do
                the child any good, and the order's medical support terms decide what happens next.
                Ask the plan administrator whether there's an out-of-area or point-of-service option.
                If there isn't, take it back to the tribunal and ask for cash medical support or a
                contribution to other coverage instead, as your guidelines allow.
            """), 1),
            DemoReply("tom", md("""
                Until the order changes, the employer has to keep following the NMSN, so don't tell
                them to drop it. But look at the plan administrator's Part B response: if the plan
                had more than one option, the administrator should have listed them, and the agency
                had 20 business days to choose before the default option applied. Ask them to let
                you choose again.
            """), 2, helpful=("keoni",)),
            DemoReply("keoni", md("""
                The plan did have a PPO option. We've asked the administrator to switch the child's
                enrolment and noted it for the next review.
            """), 6),
        ),
    ),
    DemoTopic(
        "payments-distribution-arrears", QUESTION,
        "Interest on arrears of a registered order: whose law applies?",
        "tom", 9, md("""
            We're enforcing a registered order from a state that charges statutory interest on
            arrears at a different rate from ours. Our system computes interest only on our own
            terms. Do we apply the issuing state's interest, and if so, how do you keep the
            figures right?
        """),
        jurisdictions=("ID",), tags=("interest", "arrears", "registration", "uifsa"),
        replies=(
            DemoReply("anita", md("""
                The issuing state's law governs. UIFSA §604(a) applies it to the computation and
                payment of arrears and the accrual of interest; your own law governs the remedies.

                If your system can't compute the other state's interest, ask the issuing state for an
                interest calculation on a schedule and record it as a separate balance. Don't fold it
                into principal.
            """), 1, helpful=("tom",)),
            DemoReply("dana", md("""
                Agree with the issuing state on how each of you will report interest, so your arrears
                statements match. Mismatched balances are a common reason obligors contest a
                registration under §606.
            """), 2),
            DemoReply("tom", md("""
                That's what I needed. We'll ask for the calculation every quarter.
            """), 3),
        ),
    ),
    # --- Shared procedures ------------------------------------------------------------------
    DemoTopic(
        "payments-distribution-arrears", PROCEDURE,
        "Reconciling arrears before a controlling-order hearing: our worksheet",
        "rosa", 112, md("""
            We use this worksheet whenever a case has two or more orders and we ask for a
            determination under UIFSA §207. It has cut our continuances a lot.

            1. **Collect every order** in effect, with all modifications, from each tribunal. Ask
               early: the other state has 30 working days under 45 CFR 303.7 to send order and
               payment records.
            2. **Get a certified payment record under each order** from each state disbursement unit
               that received payments.
            3. **Build one timeline**, month by month: what each order required, what was paid,
               and where.
            4. **Credit every payment once** (§209): an amount collected for a period under one
               order counts against the same period under the others.
            5. **Compute interest under each issuing state's law** (§604) and keep it apart from
               principal.
            6. **Share the draft with the other state** before the hearing. Agree on the figures,
               or list the differences.

            | column | what goes in it |
            |---|---|
            | Month | each month from the earliest order to today |
            | Order A due, Order B due | the amount each order required |
            | Paid | amount, date received, which disbursement unit |
            | Credited to | the order the payment was applied to |
            | Balance | principal and interest, kept separately |

            The hearing packet gets the worksheet, both payment records and, once the tribunal
            rules, the Notice of Determination of Controlling Order.
        """),
        jurisdictions=("AZ",), tags=("controlling-order", "arrears", "interest", "distribution"),
        replies=(
            DemoReply("priya", md("""
                We use almost the same thing. Add a column for tax refund offset collections: they
                post when the offset happens, not in the month the debt accrued, so they confuse the
                monthly view unless you show them separately.
            """), 2, helpful=("rosa", "dana")),
            DemoReply("jerome", md("""
                From a clerk's office: put the caption and court of each order at the top of the
                worksheet, not only the state. When the determination comes back, it has to be filed
                with every earlier case within 30 days (§207(g)), and we need to find them.
            """), 4),
            DemoReply("rosa", md("""
                Good additions. Our template now has both.
            """), 6),
        ),
    ),
    DemoTopic(
        "medical-support", PROCEDURE,
        "NMSN follow-up timeline for employers and plan administrators",
        "mark", 83, md("""
            Our medical support unit works National Medical Support Notices to this timeline. The
            employer and plan administrator deadlines count from the date of the Notice.

            | when | who | what |
            |---|---|---|
            | within 2 business days of the new-hire match | agency | send the NMSN to the employer (45 CFR 303.32) |
            | within 20 business days | employer | return Part A (why it can't enrol the child) or send Part B to the plan administrator |
            | within 40 business days | plan administrator | return the Part B response: enrolled, or the options to choose from |
            | within 20 business days of the options | agency | choose an option with the custodial parent, or the plan's default applies |

            Our follow-ups:

            - **Day 25**, no Part A or Part B response: call the employer's payroll contact and send
              a second notice.
            - **Day 45**, nothing from the plan administrator: call the administrator and note the call.
            - **On enrolment**: confirm with the custodial parent that the cards arrived and that the
              plan has providers where the child lives.
            - **No coverage available**: record it, and look again at the next review or the next
              new-hire match.
        """),
        jurisdictions=("AK",), tags=("nmsn", "employer", "ndnh"),
        replies=(
            DemoReply("keoni", md("""
                The last-but-one step is the one we skipped for years: checking there are providers
                where the child lives. Adding it.
            """), 3, helpful=("mark",)),
            DemoReply("beth", md("""
                We send employers who don't respond after the second notice to our employer
                compliance unit. State law has penalties for ignoring the NMSN, and a call from that
                unit usually does it.
            """), 5),
        ),
    ),
    DemoTopic(
        "tribal-child-support", PROCEDURE,
        "Sending a case to a tribal IV-D program: a checklist for state agencies",
        "grace", 70, md("""
            For state agencies opening a case with our program, and broadly with other tribal IV-D
            programs:

            1. **Read the tribe's IRG profile** for the central contact, the program's services and
               its order and guideline rules.
            2. **Use the federal intergovernmental forms**: Transmittal #1 to open a case, #2 for
               follow-up, #3 for limited help such as service of process or genetic testing.
            3. **Send certified copies of orders.** Tribal courts recognise state orders under full
               faith and credit (FFCCSOA) without UIFSA forms, but the Uniform Support Petition and
               General Testimony help when we're establishing an order.
            4. **Service on the reservation follows tribal court rules.** Ask us; don't mail a state
               summons and assume it's valid.
            5. **Tribal employers**: a state can't compel a tribal government employer to withhold,
               but many tribes honour withholding orders through their program or an agreement.
               Ask us before sending an IWO to a tribal enterprise.
            6. **Payments** follow the program's process in the IRG, and we report collections back
               to you.

            About a specific case: call us. Don't put case details in email.
        """),
        jurisdictions=("tribe-navajo-nation",), tags=("tribal", "service-of-process", "employer"),
        replies=(
            DemoReply("sam", md("""
                Much the same for us, with one addition: many of our families live in villages that
                are reachable only by air, so service and testing take longer. Tell us your deadlines
                up front.
            """), 2, helpful=("grace",)),
            DemoReply("rosa", md("""
                This is going straight into our desk guide. CSENet or paper for tribal cases?
            """), 3),
            DemoReply("grace", md("""
                CSENet is state to state, and we're not on it: send the forms by secure email or
                mail, and phone first if it's urgent.
            """), 4),
        ),
    ),
    # --- Discussions ------------------------------------------------------------------------
    DemoTopic(
        "training-professional-development", DISCUSSION,
        "Interstate basics for new caseworkers: what belongs in the first month?",
        "luis", 134, md("""
            We're rebuilding onboarding for new caseworkers. Interstate work is where new staff get
            lost: the forms, the timeframes, who has jurisdiction. What do you teach in the first
            month, and what do you leave for later?
        """),
        jurisdictions=("WA",), tags=("uifsa", "controlling-order"),
        replies=(
            DemoReply("beth", md("""
                Our first month: the one-order world (what a controlling order is and why CEJ
                matters), the three transmittals, how to read the IRG, and the 45 CFR 303.7
                timeframes on a one-page chart. Later, each with a mentor: modification under §611,
                international cases and tribal cases.
            """), 1, helpful=("luis", "grace")),
            DemoReply("grace", md("""
                Please put tribal programs in the first month, even briefly: full faith and credit
                under FFCCSOA, that tribes need not adopt UIFSA, and whom to call. Staff who learn
                it late tend to treat tribal orders as something exotic.
            """), 2, helpful=("luis",)),
            DemoReply("carla", md("""
                Have them sit in on a UIFSA hearing held by phone or video. Seeing how the tribunal
                uses the General Testimony and the payment history makes the forms make sense.
            """), 4),
            DemoReply("luis", md("""
                Thanks, all three are going in. We're also looking at recorded conference sessions
                for the second month.
            """), 7),
        ),
    ),
    DemoTopic(
        "enforcement-remedies", DISCUSSION,
        "License suspension or a payment agreement first: what's working for you?",
        "tom", 61, md("""
            We're reviewing how we use license suspension. Suspending a driver's license can cost a
            parent the job that pays the support. Some offices offer a payment agreement before
            suspending; others suspend first and release on an agreement. What do you do, and have
            you measured the effect?
        """),
        jurisdictions=("ID", "AZ", "MO", "AK"), tags=("license-suspension", "arrears", "fidm"),
        replies=(
            DemoReply("rosa", md("""
                We send the notice of intent with an offer of a payment agreement and suspend only
                if there's no response. Parents who call in nearly always sign. We release on the
                first payment under the agreement, not on the signature.
            """), 1),
            DemoReply("beth", md("""
                We look at commercial driver's licenses case by case, because losing a CDL usually
                means losing the job. Professional and recreational licenses get less discretion, and
                recreational ones work surprisingly well in the autumn.
            """), 2),
            DemoReply("mark", md("""
                We compared last year's numbers: collections after a notice of intent beat those after
                an actual suspension. Suspension is now our fallback, with FIDM levies and passport
                denial for parents who have assets and won't engage.
            """), 4, helpful=("rosa", "tom")),
        ),
    ),
    DemoTopic(
        "systems-data-exchange", DISCUSSION,
        "QUICK before every intergovernmental review: worth the time?",
        "priya", 41, md("""
            QUICK shows us another state's case and payment data in real time instead of a CSENet
            request and a wait. Some of our teams now check QUICK before every intergovernmental
            review; others say it's slower than just asking. How do you use it?
        """),
        jurisdictions=("CA",), tags=("quick", "csenet"),
        replies=(
            DemoReply("rosa", md("""
                Before every review and before every Transmittal #2. Half of our follow-up requests
                disappear once we can see the other state already acted. We note in the case what we
                saw and when, rather than keeping screenshots.
            """), 1, helpful=("priya",)),
            DemoReply("kevin", md("""
                We use it to check payment histories before asking for a controlling-order
                determination. It tells us whether there's a record worth requesting; it doesn't
                replace the certified record at the hearing.
            """), 2),
            DemoReply("dana", md("""
                One limit: not every state shares every data element. A blank field may mean the
                state doesn't share it, not that nothing happened; ask before you assume.
            """), 3),
        ),
    ),
    # --- Members only: each association's business and board categories ---------------------
    DemoTopic(
        association_category_slug("western", ASSOCIATION_BUSINESS), DISCUSSION,
        "Call for workshop proposals: interstate, tribal and international tracks",
        "dana", 30, md("""
            Proposals for next year's training conference are open to members until the end of
            next month. We want practical sessions: case walkthroughs with every identifying detail
            removed, current UIFSA and Hague 2007 practice, tribal-state cooperation, and systems
            (QUICK, CSENet, e-IWO). Post ideas here or send them to the council office; presenters
            from two different jurisdictions are especially welcome.
        """),
        tags=("uifsa", "hague-2007", "tribal"),
        replies=(
            DemoReply("grace", md("""
                Tribal track idea: a state and a tribal program walking through one case transfer
                together, from Transmittal #1 to the first payment.
            """), 1),
            DemoReply("priya", md("""
                I'd present on controlling-order determinations with someone from Arizona. We've
                worked several together.
            """), 2),
            DemoReply("rosa", md("""
                Count me in for that one.
            """), 2.5),
        ),
    ),
    DemoTopic(
        association_category_slug("western", BOARD), DISCUSSION,
        "Strategic plan draft: comments before the next board call",
        "mark", 23, md("""
            Directors: the draft strategic plan is in the board folder. It sets three priorities:

            1. tribal-state cooperation
            2. training for new interstate staff
            3. membership from private-sector partners and the territories

            Please comment here before the next board call. Only the board can see this category.
        """),
        replies=(
            DemoReply("mark", md("""
                Update: the comments so far are in the second draft, and the vote is on the agenda
                for the next call.
            """), 6),
        ),
    ),
    DemoTopic(
        association_category_slug("missouri", ASSOCIATION_BUSINESS), DISCUSSION,
        "Regional town halls this spring: hosts needed",
        "beth", 28, md("""
            We're scheduling a town hall in each of our seven regions. Each needs a host who can
            book a room (a courthouse or Family Support Division office works) and suggest a local
            topic. Reply with your region and the dates that work.
        """),
        replies=(
            DemoReply("jerome", md("""
                Southwest: our courthouse has a meeting room we can use. Any Thursday works.
            """), 1),
            DemoReply("kevin", md("""
                Central: I'll ask about the conference room at our Jefferson City office.
            """), 2),
            DemoReply("denise", md("""
                Southeast is short of volunteers. Our team can set up a call-in line for members who
                can't travel.
            """), 3),
        ),
    ),
    DemoTopic(
        association_category_slug("missouri", BOARD), DISCUSSION,
        "Annual conference: CLE accreditation and budget",
        "carla", 17, md("""
            Board members: before we sign the venue contract, let's confirm the CLE plan: more than
            15 CLE hours including 2 ethics hours, accredited through the Missouri Bar, plus MTR
            credits for state managers. Ethics sessions have to be live. I've drafted the budget with
            and without a second ethics session. Comments here, please; only the board can see them.
        """),
        replies=(
            DemoReply("carla", md("""
                Update: the venue has confirmed a room for the live ethics sessions. The budget goes to
                a vote at the next board meeting.
            """), 5),
        ),
    ),
]


# --- Seeding ---------------------------------------------------------------------------------


def demo_people_by_first_name() -> dict[str, User]:
    emails = {person.email.split(".")[0]: person.email.lower() for person in DEMO_PEOPLE}
    users = {user.email.lower(): user for user in User.objects.filter(email__in=emails.values())}
    return {first_name: users[email] for first_name, email in emails.items() if email in users}


def seed_forum() -> None:
    """Create the demo categories and any demo topic that isn't there yet (with its replies,
    accepted answer and helpful votes). The demo people must exist already."""
    categories = seed_categories()
    people = demo_people_by_first_name()
    codes = {code for demo in DEMO_TOPICS for code in demo.jurisdictions}
    jurisdictions = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    now = timezone.now()
    for demo in DEMO_TOPICS:
        category = categories[demo.category]
        if Topic.objects.filter(category=category, title=demo.title).exists():
            continue
        seed_topic(demo, category, people, jurisdictions, now)


def seed_topic(demo: DemoTopic, category: Category, people: dict[str, User], jurisdictions, now) -> Topic:
    topic = services.create_topic(
        people[demo.author], category, kind=demo.kind, title=demo.title, body=demo.body,
        tags=list(demo.tags), jurisdictions=[jurisdictions[code] for code in demo.jurisdictions],
    )
    opened_at = now - timedelta(days=demo.days_ago)
    post_times = {topic.last_post_id: opened_at}
    accepted = None
    for reply in demo.replies:
        post = services.reply(people[reply.author], topic, body=reply.body)
        post_times[post.pk] = opened_at + timedelta(days=reply.days_after)
        for voter in reply.helpful:
            services.vote_helpful(post, voter=people[voter])
        if reply.accepted:
            accepted = post
    if accepted is not None:
        services.accept_answer(accepted, by=people[demo.author])
    backdate(topic, post_times)
    return topic


def backdate(topic: Topic, post_times: dict) -> None:
    """Spread the demo over the past months. The services stamp everything "now", so the
    dates are moved afterwards with queryset updates: no history, signal or event is
    bypassed, only the timestamps change."""
    for post_id, created_at in post_times.items():
        Post.objects.filter(pk=post_id).update(created_at=created_at)
        voted_at = min(created_at + timedelta(hours=6), timezone.now())
        HelpfulVote.objects.filter(post_id=post_id).update(created_at=voted_at)
    Topic.objects.filter(pk=topic.pk).update(
        created_at=min(post_times.values()), last_activity_at=max(post_times.values())
    )
