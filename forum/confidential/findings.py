"""What the detector reports: the kinds of confidential case data and one finding in a text."""

from dataclasses import dataclass, field

from django.db import models


class FindingKind(models.TextChoices):
    """The kinds of confidential case data the detector knows. The values are stable: they
    are stored (held posts, quarantined attachments, the monthly report), so never rename one."""

    SSN = "ssn", "Social Security number"
    ITIN = "itin", "Individual Taxpayer Identification Number"
    PAYMENT_CARD = "payment_card", "Payment card number"
    BANK_ACCOUNT = "bank_account", "Bank account number"
    ROUTING_NUMBER = "routing_number", "Bank routing number"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    CASE_NUMBER = "case_number", "Case, docket or cause number"
    PHONE_NUMBER = "phone_number", "Personal phone number"
    EMAIL_ADDRESS = "email_address", "Personal email address"
    STREET_ADDRESS = "street_address", "Street address"
    PERSON_NAME = "person_name", "Name of a party or child"

    @property
    def explanation(self) -> str:
        """Why it matters, in a sentence or two, for the author and for moderators."""
        return EXPLANATIONS[self]


# Kinds whose confident findings cannot be confirmed away by the author: the post or
# attachment is held for a moderator instead.
HIGH_RISK_KINDS = frozenset({FindingKind.SSN, FindingKind.ITIN, FindingKind.PAYMENT_CARD})

# A finding of a high-risk kind is high risk from this confidence on. Below it (a spaced
# SSN-shaped number with no "SSN" nearby, say) the author may still confirm it away.
HIGH_RISK_CONFIDENCE = 0.8

# scan_text() reports findings from this confidence on, unless told otherwise.
REPORT_THRESHOLD = 0.5

EXPLANATIONS = {
    FindingKind.SSN: (
        "A U.S. Social Security number: federal and state law protect it, and it is the key "
        "to identity theft. Never post one, not even a colleague's example from a real case."
    ),
    FindingKind.ITIN: (
        "An IRS Individual Taxpayer Identification Number: federal tax information, protected "
        "like a Social Security number."
    ),
    FindingKind.PAYMENT_CARD: (
        "A payment card number (it passes the card checksum): anyone who reads it could charge "
        "the card, and card rules forbid publishing it."
    ),
    FindingKind.BANK_ACCOUNT: (
        "A bank account number: financial data of a party (FIDM matches, levies, payments) is "
        "confidential case information."
    ),
    FindingKind.ROUTING_NUMBER: (
        "A bank routing number next to case details: together with an account number it "
        "identifies a party's account."
    ),
    FindingKind.DATE_OF_BIRTH: (
        "A date of birth: with a name it identifies a parent or a child, and case records "
        "that hold it are confidential."
    ),
    FindingKind.CASE_NUMBER: (
        "A case, docket or cause number: it points to a real family's file. Describe the "
        "situation instead of citing the case."
    ),
    FindingKind.PHONE_NUMBER: (
        "The phone number of a private person: contact details of parents and children are "
        "confidential. Agency and court general lines are fine."
    ),
    FindingKind.EMAIL_ADDRESS: (
        "The email address of a private person: contact details of parents and children are "
        "confidential. Agency and court addresses are fine."
    ),
    FindingKind.STREET_ADDRESS: (
        "A home or mailing address: where a parent or child lives is confidential, and can "
        "put a family-violence victim at risk."
    ),
    FindingKind.PERSON_NAME: (
        "The name of a parent, child or other party: case participants must not be "
        "identifiable. Use roles (the obligor, the child) instead."
    ),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One stretch of text that looks like confidential case data.

    `start` and `end` are offsets in the scanned text: `text[start:end]` is the finding.
    `matched_text` holds that stretch for the caller (to highlight or redact it); it is left
    out of repr() and of to_record() so it does not end up in logs, error reports or stored
    findings by accident.
    """

    kind: FindingKind
    start: int
    end: int
    confidence: float
    reason: str = ""  # how it was recognised, e.g. "next to \"SSN\"", never the matched text
    matched_text: str = field(default="", repr=False, compare=False)

    @property
    def high_risk(self) -> bool:
        """High risk findings cannot be confirmed away by the author."""
        return self.kind in HIGH_RISK_KINDS and self.confidence >= HIGH_RISK_CONFIDENCE

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def explanation(self) -> str:
        return self.kind.explanation

    def to_record(self) -> dict:
        """A JSON-ready description without the matched text, safe to store or log."""
        return {
            "kind": self.kind.value,
            "start": self.start,
            "end": self.end,
            "confidence": round(self.confidence, 2),
            "high_risk": self.high_risk,
            "reason": self.reason,
        }
