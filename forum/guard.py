"""The confidential case-data guard on posts: what the detector finds in a post's title and
body, whether the author may confirm it away, and the GuardFinding rows that record what
became of each finding. Also the association's guard setting and its monthly report.

The rule, enforced by forum.services (create_topic, reply, edit_post), not only by the forms:
a post with findings is published only when the author confirmed "this is not real case
data" with a reason, none of the findings is high risk, and the association's guard mode is
"warn" (the interstate commons always warns). Otherwise it is saved held for a moderator.

    check = check_post_text(title, body, association)
    check.findings      # PlacedFinding: place ("title"/"body"), line, kind, label, explanation ...
    check.can_confirm   # the author may confirm them away
    check.fingerprint   # what the author was shown (a keyed hash: never the text itself)

Never log or store the matched text: GuardFinding keeps kind, place and confidence only.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from config.events import emit
from forum.confidential import Finding, FindingKind, scan_text
from forum.models import GuardFinding, Post
from members import permissions
from members.models import Association

GuardMode = Association.GuardMode
TITLE, BODY = "title", "body"
MAX_CONFIRM_REASON_LENGTH = 500
REPORT_MONTHS = 12

# "… because it seems to contain a Social Security number and a case number."
KIND_PHRASES = {
    FindingKind.SSN: "a Social Security number",
    FindingKind.ITIN: "an Individual Taxpayer Identification Number",
    FindingKind.PAYMENT_CARD: "a payment card number",
    FindingKind.BANK_ACCOUNT: "a bank account number",
    FindingKind.ROUTING_NUMBER: "a bank routing number",
    FindingKind.DATE_OF_BIRTH: "a date of birth",
    FindingKind.CASE_NUMBER: "a case, docket or cause number",
    FindingKind.PHONE_NUMBER: "a personal phone number",
    FindingKind.EMAIL_ADDRESS: "a personal email address",
    FindingKind.STREET_ADDRESS: "a street address",
    FindingKind.PERSON_NAME: "the name of a party or child",
}


@dataclass(frozen=True)
class PlacedFinding:
    """A detector finding and where it is: in the title, or in the body at a line."""

    place: str
    line: int
    finding: Finding

    kind = property(lambda self: self.finding.kind)
    start = property(lambda self: self.finding.start)
    end = property(lambda self: self.finding.end)
    confidence = property(lambda self: self.finding.confidence)
    high_risk = property(lambda self: self.finding.high_risk)
    label = property(lambda self: self.finding.label)
    explanation = property(lambda self: self.finding.explanation)

    @property
    def where(self) -> str:
        return "in the title" if self.place == TITLE else f"line {self.line}"


@dataclass(frozen=True)
class GuardCheck:
    findings: tuple[PlacedFinding, ...]
    high_risk: bool
    mode: str

    def __bool__(self) -> bool:
        return bool(self.findings)

    @property
    def can_confirm(self) -> bool:
        """The author may confirm the findings away (and publish)."""
        return bool(self.findings) and not self.high_risk and self.mode == GuardMode.WARN

    @property
    def must_hold(self) -> bool:
        return bool(self.findings) and not self.can_confirm

    @property
    def fingerprint(self) -> str:
        """Identifies the findings the author was shown (kinds and texts), so a confirmation
        covers only those: new text that adds a finding is shown again. A keyed hash, safe
        in a hidden field; empty when there is nothing to confirm."""
        if not self.findings:
            return ""
        parts = sorted(f"{item.place}:{item.kind}:{item.finding.matched_text}" for item in self.findings)
        return salted_hmac("forum.guard.fingerprint", "\x1f".join(parts), algorithm="sha256").hexdigest()[:32]

    @property
    def kinds(self) -> list[FindingKind]:
        seen = []
        for item in self.findings:
            if item.kind not in seen:
                seen.append(item.kind)
        return seen

    @property
    def seems_to_contain(self) -> str:
        return phrase_list(self.kinds)

    def in_place(self, place: str) -> list[PlacedFinding]:
        return [item for item in self.findings if item.place == place]


NO_FINDINGS = GuardCheck(findings=(), high_risk=False, mode=GuardMode.WARN)


def phrase_list(kinds) -> str:
    phrases = [KIND_PHRASES.get(FindingKind(kind), FindingKind(kind).label.lower()) for kind in kinds]
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def guard_mode_for(association: Association | None) -> str:
    """The interstate commons (no association) warns."""
    if association is None:
        return GuardMode.WARN
    return association.guard_mode or GuardMode.WARN


def normalise_body(body: str) -> str:
    """The body as forum.services.clean_body stores it (offsets are offsets into that)."""
    return (body or "").replace("\r\n", "\n").replace("\x00", "").strip()


def normalise_title(title: str) -> str:
    return " ".join((title or "").replace("\x00", "").split())


def check_post_text(title: str | None, body: str, association: Association | None) -> GuardCheck:
    """Scan the title (when given) and the body as they will be stored."""
    found: list[PlacedFinding] = []
    if title:
        found += [PlacedFinding(TITLE, 0, finding) for finding in scan_text(normalise_title(title))]
    body = normalise_body(body)
    for finding in scan_text(body):
        found.append(PlacedFinding(BODY, body.count("\n", 0, finding.start) + 1, finding))
    return GuardCheck(
        findings=tuple(found), high_risk=any(item.high_risk for item in found), mode=guard_mode_for(association)
    )


def clean_confirm_reason(reason: str | None) -> str | None:
    """None: not confirmed. A confirmation needs a reason."""
    from forum.services import PostingError

    if reason is None:
        return None
    reason = " ".join(reason.replace("\x00", "").split())
    if not reason:
        raise PostingError({"guard_reason": "Say why this is not real case data (for example: “made-up numbers for the example”)."})
    if len(reason) > MAX_CONFIRM_REASON_LENGTH:
        raise PostingError({"guard_reason": f"Keep the reason to {MAX_CONFIRM_REASON_LENGTH} characters; this one has {len(reason):,}."})
    return reason


def decide(check: GuardCheck, confirmed_reason: str | None) -> tuple[str | None, str]:
    """(outcome for the findings or None when there are none, the author's reason kept)."""
    if not check.findings:
        return None, ""
    if check.can_confirm and confirmed_reason:
        return GuardFinding.Outcome.CONFIRMED, confirmed_reason
    return GuardFinding.Outcome.HELD, ""


def record_findings(post: Post, findings, outcome: str, reason: str = "", by=None) -> list[GuardFinding]:
    """One GuardFinding per finding: kind, place and confidence, never the text."""
    association_id = post.topic.category.association_id
    rows = []
    for item in findings:
        finding = item.finding if isinstance(item, PlacedFinding) else item
        place = item.place if isinstance(item, PlacedFinding) else BODY
        rows.append(GuardFinding(
            post=post, association_id=association_id, kind=finding.kind, confidence=round(finding.confidence, 3),
            place=GuardFinding.Place.TITLE if place == TITLE else GuardFinding.Place.BODY,
            start=finding.start, end=finding.end, high_risk=finding.high_risk, outcome=outcome,
            reason=reason[:MAX_CONFIRM_REASON_LENGTH], decided_by=by,
        ))
    return GuardFinding.objects.bulk_create(rows)


def is_title_finding(row: GuardFinding) -> bool:
    return row.place == GuardFinding.Place.TITLE


def held_kinds(post: Post) -> list[str]:
    """The kinds the guard held `post` for (empty when it was not held by the guard)."""
    kinds = GuardFinding.objects.filter(post=post, outcome=GuardFinding.Outcome.HELD).values_list("kind", flat=True)
    return list(dict.fromkeys(kinds))


def held_message(post: Post, thing: str = "post") -> str | None:
    kinds = held_kinds(post)
    if not kinds:
        return None
    return (f"Your {thing} is waiting for a moderator because it seems to contain {phrase_list(kinds)}. "
            "Nobody else can see it until a moderator reviews it.")


# --- Showing findings to the author -----------------------------------------------------------


def highlighted(text: str, findings) -> str:
    """`text` escaped, with each finding in <mark> (and named for screen readers)."""
    parts, position = [], 0
    for item in sorted(findings, key=lambda item: item.start):
        if item.start < position:
            continue
        parts.append(format_html("{}", text[position:item.start]))
        parts.append(format_html(
            '<mark class="comity-guard-mark"><span class="usa-sr-only">[{}: </span>{}<span class="usa-sr-only">]</span></mark>',
            item.label, text[item.start:item.end],
        ))
        position = item.end
    parts.append(format_html("{}", text[position:]))
    return mark_safe("".join(parts))


def findings_summary_html(check: GuardCheck) -> str:
    return format_html_join(
        "\n", "<li><strong>{}</strong> — {}: {}</li>",
        ((item.label, item.where, item.explanation) for item in check.findings),
    )


# --- Holding an edited post -------------------------------------------------------------------


def hold_edited_post(post: Post) -> None:
    """A published post edited to contain what must be held goes back to the moderators
    (with its topic, for an opening post); the topic's counters follow."""
    from forum.moderation import _locked_topic, recompute_topic_counters
    from forum.models import Visibility

    if post.status == Visibility.HELD:
        return
    topic = _locked_topic(post.topic)
    post.status = Visibility.HELD
    post.save(update_fields=["status"])
    if post.position == 1 and topic.status != Visibility.HELD:
        topic.status = Visibility.HELD
        topic.save(update_fields=["status"])
    recompute_topic_counters(topic)
    post.topic = topic


# --- The association's setting -------------------------------------------------------------------


def can_manage_guard(user, association: Association) -> bool:
    """The association's admins (and site admins)."""
    return bool(user is not None and user.is_authenticated) and permissions.can_manage_memberships(user, association)


@transaction.atomic
def set_guard_mode(user, association: Association, mode: str) -> Association:
    if not can_manage_guard(user, association):
        raise PermissionDenied("Only this association's admins can change how strict the guard is.")
    from forum.services import PostingError

    if mode not in GuardMode.values:
        raise PostingError({"guard_mode": "Choose warn or hold for review."})
    association = Association.objects.select_for_update().get(pk=association.pk)
    if association.guard_mode != mode:
        previous = association.guard_mode
        association.guard_mode = mode
        association.save(update_fields=["guard_mode"])
        emit("guard_mode_changed", association_id=association.pk, mode=mode, previous=previous, changed_by_id=user.pk)
    return association


# --- The monthly report ------------------------------------------------------------------------------


def report_months(now: datetime | None = None, months: int = REPORT_MONTHS) -> list[datetime]:
    """The first instant (local time) of each of the last `months` months, oldest first."""
    now = timezone.localtime(now or timezone.now())
    year, month = now.year, now.month
    firsts = []
    for _ in range(months):
        firsts.append(now.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(firsts))


@dataclass
class ReportRow:
    month: datetime
    kind: str
    label: str
    counts: dict
    total: int


def findings_report(association: Association, now: datetime | None = None) -> dict:
    """Counts of the association's findings by month × kind × outcome, for the last twelve
    months: numbers only, never content nor links to posts."""
    months = report_months(now)
    since = months[0]
    rows = (
        GuardFinding.objects.filter(association=association, created_at__gte=since)
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "kind", "outcome")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        month = timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"]
        counts[(month.year, month.month, row["kind"])][row["outcome"]] += row["count"]
    outcomes = GuardFinding.Outcome.choices
    table = []
    for first in months:
        for kind, label in FindingKind.choices:
            by_outcome = counts.get((first.year, first.month, kind))
            if not by_outcome:
                continue
            cells = {outcome: by_outcome.get(outcome, 0) for outcome, _ in outcomes}
            table.append(ReportRow(month=first, kind=kind, label=label, counts=cells, total=sum(cells.values())))
    totals = {outcome: sum(row.counts[outcome] for row in table) for outcome, _ in outcomes}
    return {
        "months": months,
        "rows": table,
        "outcomes": outcomes,
        "totals": totals,
        "total": sum(totals.values()),
    }
