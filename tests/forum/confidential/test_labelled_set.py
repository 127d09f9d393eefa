"""The detector on the labelled set: synthetic snippets of caseworker prose, each with the
findings a careful reader would mark (none, for the false-alarm traps)."""

from collections import Counter
from pathlib import Path

import pytest

from forum.confidential import HIGH_RISK_KINDS, FindingKind, scan_text
from forum.confidential.evaluation import evaluate, load_labelled_snippets

pytestmark = pytest.mark.smoke

LABELLED_SET = Path(__file__).parent / "labelled_snippets.jsonl"


@pytest.fixture(scope="module")
def snippets():
    return load_labelled_snippets(LABELLED_SET)


@pytest.fixture(scope="module")
def evaluation(snippets):
    return evaluate(snippets)


def describe(mistakes):
    return "\n".join(
        f"  {'missed' if mistake.missed else 'false alarm'} {mistake.kind} {mistake.text!r} in {mistake.snippet_id}"
        for mistake in mistakes
    )


def test_the_set_is_large_covers_every_kind_and_has_traps(snippets):
    assert len(snippets) >= 200
    assert len({snippet["id"] for snippet in snippets}) == len(snippets)
    expected_kinds = Counter(item["kind"] for snippet in snippets for item in snippet["expected"])
    for kind in FindingKind:
        assert expected_kinds[kind.value] >= 10, f"only {expected_kinds[kind.value]} snippets with {kind.value}"
    traps = [snippet for snippet in snippets if not snippet["expected"]]
    assert len(traps) >= 100
    for snippet in snippets:
        for item in snippet["expected"]:
            assert snippet["text"].count(item["text"]) == 1, (snippet["id"], item["text"])


def test_recall_on_high_risk_kinds(evaluation):
    recall = evaluation.recall(list(HIGH_RISK_KINDS))
    missed = [mistake for mistake in evaluation.mistakes if mistake.missed and mistake.kind in HIGH_RISK_KINDS]
    assert recall >= 0.95, f"high-risk recall {recall}\n{describe(missed)}"


def test_precision_overall(evaluation):
    precision = evaluation.precision()
    false_alarms = [mistake for mistake in evaluation.mistakes if not mistake.missed]
    assert precision >= 0.9, f"precision {precision}\n{describe(false_alarms)}"


def test_recall_overall_and_per_kind(evaluation):
    assert evaluation.recall() >= 0.9, describe(evaluation.mistakes)
    for kind in FindingKind:
        assert evaluation.recall([kind]) >= 0.8, f"{kind.value}\n{describe(evaluation.mistakes)}"
        assert evaluation.precision([kind]) >= 0.8, f"{kind.value}\n{describe(evaluation.mistakes)}"


def test_no_high_risk_false_alarm_on_traps(snippets):
    """A high-risk finding holds the post for a moderator: none may fire on a trap."""
    for snippet in snippets:
        if not snippet["expected"]:
            assert not [finding for finding in scan_text(snippet["text"]) if finding.high_risk], snippet["id"]


def test_positions_point_at_the_finding(snippets):
    for snippet in snippets:
        text = snippet["text"]
        for finding in scan_text(text, min_confidence=0):
            assert text[finding.start : finding.end] == finding.matched_text, snippet["id"]
            assert finding.matched_text.strip() == finding.matched_text, (snippet["id"], finding.matched_text)


def test_high_risk_findings_match_exactly(snippets):
    """Numbers that hold a post must be highlighted exactly: the whole number, nothing more."""
    for snippet in snippets:
        expected = {(item["kind"], item["text"]) for item in snippet["expected"] if item["kind"] in HIGH_RISK_KINDS}
        found = {(finding.kind.value, finding.matched_text) for finding in scan_text(snippet["text"]) if finding.high_risk}
        assert expected <= found, snippet["id"]
