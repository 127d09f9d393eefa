"""scan_text(): run every recogniser over a text, keep the best finding where several overlap."""

from bisect import bisect_left

from .findings import REPORT_THRESHOLD, Finding, FindingKind
from .recognisers import RECOGNISERS

# When two findings overlap with the same confidence, the earlier kind in this list wins.
_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        [
            FindingKind.SSN, FindingKind.ITIN, FindingKind.PAYMENT_CARD, FindingKind.ROUTING_NUMBER,
            FindingKind.BANK_ACCOUNT, FindingKind.DATE_OF_BIRTH, FindingKind.CASE_NUMBER, FindingKind.PHONE_NUMBER,
            FindingKind.EMAIL_ADDRESS, FindingKind.STREET_ADDRESS, FindingKind.PERSON_NAME,
        ]
    )
}


def scan_text(text: str, *, min_confidence: float = REPORT_THRESHOLD) -> list[Finding]:
    """The confidential case data found in `text`, in order of position.

    Findings never overlap: where recognisers disagree about a stretch of text (ten digits
    after "account" could also be a phone number), the most confident finding is kept.
    Findings below `min_confidence` are left out; pass 0 to see every candidate.
    """
    if not text:
        return []
    candidates = [finding for recogniser in RECOGNISERS for finding in recogniser(text)]
    candidates.sort(key=lambda finding: (-finding.confidence, _PRIORITY[finding.kind], finding.start))
    # Kept findings never overlap, so sorted by start they are sorted by end too: a candidate
    # overlaps one of them only if it overlaps the last one starting before its end.
    starts: list[int] = []
    kept: list[Finding] = []
    for candidate in candidates:
        index = bisect_left(starts, candidate.end)
        if index and kept[index - 1].end > candidate.start:
            continue
        starts.insert(index, candidate.start)
        kept.insert(index, candidate)
    return [finding for finding in kept if finding.confidence >= min_confidence]
