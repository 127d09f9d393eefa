"""The detector's API: what a finding carries, what it hides, and how scan_text behaves."""

import json
import time

import pytest

from forum.confidential import (
    HIGH_RISK_KINDS,
    REPORT_THRESHOLD,
    Finding,
    FindingKind,
    scan_text,
)

pytestmark = pytest.mark.smoke

POST = (
    "The obligor, John Q. Sample, DOB 03/14/1988, SSN 805-92-0373, lives at 4417 Cedar Hollow Dr., Apt 3B, "
    "Springfield, MO 65804. Case no. 2026-DR-01234. He paid by card 4881 4788 9251 1696; his cell is "
    "(573) 555-0142 and his email jqsample88@gmail.com. Routing 021000021, account 4839201756."
)


def test_every_kind_has_a_label_and_an_explanation():
    for kind in FindingKind:
        assert kind.label and kind.label != kind.value
        assert len(kind.explanation) > 40


def test_kinds_are_stable_text_choices_for_model_fields():
    assert FindingKind.SSN == "ssn"
    assert ("ssn", "Social Security number") in FindingKind.choices
    assert FindingKind("payment_card") is FindingKind.PAYMENT_CARD


def test_a_post_with_every_kind():
    kinds = [finding.kind for finding in scan_text(POST)]
    assert kinds == [
        FindingKind.PERSON_NAME, FindingKind.DATE_OF_BIRTH, FindingKind.SSN, FindingKind.STREET_ADDRESS,
        FindingKind.CASE_NUMBER, FindingKind.PAYMENT_CARD, FindingKind.PHONE_NUMBER, FindingKind.EMAIL_ADDRESS,
        FindingKind.ROUTING_NUMBER, FindingKind.BANK_ACCOUNT,
    ]
    assert sum(1 for kind in kinds if kind == FindingKind.SSN) == 1


def test_findings_are_in_order_do_not_overlap_and_point_at_their_text():
    findings = scan_text(POST)
    for finding in findings:
        assert POST[finding.start : finding.end] == finding.matched_text
        assert 0 <= finding.confidence <= 1
        assert finding.confidence >= REPORT_THRESHOLD
    for earlier, later in zip(findings, findings[1:]):
        assert earlier.end <= later.start


def test_high_risk_is_a_confident_ssn_itin_or_card():
    findings = scan_text(POST + " ITIN 912-70-1234.")
    high_risk = {finding.kind for finding in findings if finding.high_risk}
    assert high_risk == {FindingKind.SSN, FindingKind.PAYMENT_CARD, FindingKind.ITIN}
    assert HIGH_RISK_KINDS == high_risk
    assert not Finding(FindingKind.SSN, 0, 11, 0.65).high_risk  # a spaced SSN without a cue
    assert not Finding(FindingKind.CASE_NUMBER, 0, 11, 0.99).high_risk


def test_the_matched_text_stays_out_of_repr_and_records():
    finding = next(finding for finding in scan_text(POST) if finding.kind == FindingKind.SSN)
    assert "805-92-0373" not in repr(finding)
    assert "805-92-0373" not in str(finding)
    record = finding.to_record()
    assert "805-92-0373" not in json.dumps(record)
    assert record == {
        "kind": "ssn", "start": finding.start, "end": finding.end, "confidence": 0.97, "high_risk": True,
        "reason": finding.reason,
    }
    assert finding.label == "Social Security number"
    assert finding.explanation.startswith("A U.S. Social Security number")


def test_min_confidence():
    text = "Reference 532036999. Call the office at (573) 751-4301."
    assert scan_text(text) == []
    low = scan_text(text, min_confidence=0)
    assert {finding.kind for finding in low} == {FindingKind.SSN, FindingKind.PHONE_NUMBER}
    assert all(finding.confidence < REPORT_THRESHOLD for finding in low)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "No data here at all.", "ÀÉÎ ñ 名前 ☃"])
def test_texts_without_findings(text):
    assert scan_text(text) == []


def test_positions_count_characters_not_bytes():
    text = "Ça va? 名前 — SSN 805-92-0373"
    (finding,) = scan_text(text)
    assert text[finding.start : finding.end] == "805-92-0373"


ADVERSARIAL = {
    "long digit run": "1" * 50_000,
    "spaced digit groups": "1234 " * 10_000,
    "capitalised words": "Aaa " * 12_500,
    "names after roles": ("obligor " + "Aaaa Bbbb Cccc Dddd " * 3) * 600,
    "at signs": "@" * 50_000,
    "email-like without a domain": ("a" * 60 + "@" + "b" * 60 + ".") * 400,
    "plus signs and digits": "+1 2 3 4 5 6 7 8 9 " * 2_500,
    "dates after cues": "DOB 1/1/1900 " * 4_000,
    "dashes": "1-2-3-4-5-6-7-8-9-" * 3_000,
    "addresses": ("12 " + "Main " * 4 + "Street ") * 2_000,
    "newlines": "\n" * 50_000,
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_text_scans_in_linear_time(name):
    """About 50,000 characters of text built to make regular expressions backtrack: each scan
    stays well under the bound (about 0.3 s here; catastrophic backtracking would take minutes)."""
    started = time.perf_counter()
    scan_text(ADVERSARIAL[name])
    assert time.perf_counter() - started < 5
