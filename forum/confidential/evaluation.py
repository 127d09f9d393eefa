"""Precision and recall of the detector on a labelled set of snippets.

A labelled snippet is {"id", "text", "expected": [{"kind", "text"}, ...], "note"?}: each
expected finding names its kind and the exact stretch of the snippet it covers (which occurs
once in the snippet). A reported finding is a true positive when it has the kind of an expected
finding it overlaps (address and name boundaries are matters of taste, so overlap is enough);
every other reported finding is a false positive, every expected one left unmatched a false
negative. Used by the tests and by `python -m bench.guard`.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .findings import HIGH_RISK_KINDS, REPORT_THRESHOLD, FindingKind
from .scanner import scan_text


@dataclass
class Mistake:
    snippet_id: str
    kind: str
    text: str
    missed: bool  # True: expected and not found; False: found and not expected


@dataclass
class Evaluation:
    true_positives: Counter = field(default_factory=Counter)
    false_positives: Counter = field(default_factory=Counter)
    false_negatives: Counter = field(default_factory=Counter)
    mistakes: list[Mistake] = field(default_factory=list)
    snippets: int = 0

    @staticmethod
    def _ratio(numerator: int, denominator: int) -> float:
        return round(numerator / denominator, 4) if denominator else 1.0

    def precision(self, kinds=None) -> float:
        kinds = kinds or list(FindingKind)
        tp = sum(self.true_positives[kind] for kind in kinds)
        return self._ratio(tp, tp + sum(self.false_positives[kind] for kind in kinds))

    def recall(self, kinds=None) -> float:
        kinds = kinds or list(FindingKind)
        tp = sum(self.true_positives[kind] for kind in kinds)
        return self._ratio(tp, tp + sum(self.false_negatives[kind] for kind in kinds))

    def summary(self) -> dict:
        per_kind = {
            kind.value: {
                "expected": self.true_positives[kind] + self.false_negatives[kind],
                "precision": self.precision([kind]),
                "recall": self.recall([kind]),
            }
            for kind in FindingKind
        }
        return {
            "snippets": self.snippets,
            "precision": self.precision(),
            "recall": self.recall(),
            "high_risk_recall": self.recall(list(HIGH_RISK_KINDS)),
            "high_risk_precision": self.precision(list(HIGH_RISK_KINDS)),
            "false_positives": sum(self.false_positives.values()),
            "false_negatives": sum(self.false_negatives.values()),
            "per_kind": per_kind,
        }


def load_labelled_snippets(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def evaluate(snippets: list[dict], min_confidence: float = REPORT_THRESHOLD) -> Evaluation:
    evaluation = Evaluation(snippets=len(snippets))
    for snippet in snippets:
        text = snippet["text"]
        expected = []
        for item in snippet["expected"]:
            start = text.index(item["text"])
            expected.append((FindingKind(item["kind"]), start, start + len(item["text"])))
        unmatched = list(expected)
        for finding in scan_text(text, min_confidence=min_confidence):
            match = next(
                (
                    item for item in unmatched
                    if item[0] == finding.kind and finding.start < item[2] and item[1] < finding.end
                ),
                None,
            )
            if match is None:
                evaluation.false_positives[finding.kind] += 1
                evaluation.mistakes.append(Mistake(snippet["id"], finding.kind.value, finding.matched_text, False))
            else:
                unmatched.remove(match)
                evaluation.true_positives[finding.kind] += 1
        for kind, start, end in unmatched:
            evaluation.false_negatives[kind] += 1
            evaluation.mistakes.append(Mistake(snippet["id"], kind.value, text[start:end], True))
    return evaluation
