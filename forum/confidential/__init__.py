"""The confidential case-data detector: finds Social Security numbers, ITINs, payment cards,
bank accounts and routing numbers, dates of birth, case numbers, private phone numbers, email
and street addresses, and names of parties and children in a text.

    from forum.confidential import scan_text

    for finding in scan_text(body):
        finding.kind            # FindingKind.SSN ... (a TextChoices: .label, .explanation)
        finding.start, finding.end   # body[finding.start:finding.end] is what was found
        finding.confidence      # 0..1; only findings >= REPORT_THRESHOLD are returned by default
        finding.high_risk       # a valid SSN, an ITIN or a card number: cannot be confirmed away
        finding.explanation     # why it matters, for the author and moderators
        finding.matched_text    # the text itself, for highlighting: never log or store it
        finding.to_record()     # kind, position, confidence, reason: safe to store or log

Pure Python: no database, no network, no model. Patterns compile on first use.
"""

from .findings import (
    HIGH_RISK_CONFIDENCE,
    HIGH_RISK_KINDS,
    REPORT_THRESHOLD,
    Finding,
    FindingKind,
)
from .scanner import scan_text

__all__ = [
    "HIGH_RISK_CONFIDENCE",
    "HIGH_RISK_KINDS",
    "REPORT_THRESHOLD",
    "Finding",
    "FindingKind",
    "scan_text",
]
