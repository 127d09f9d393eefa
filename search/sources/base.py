"""What every document source offers, and the helpers they share."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.utils import timezone

CHUNK_SIZE = 500


class DocumentSource:
    """Builds the search documents of one or more kinds (see search/documents.py for the
    shape). Subclasses say which kinds they build, which primary keys are candidates, and
    how to build many documents at once in a few queries.

    A candidate that is not visible to anyone (held, hidden, a draft, behind a password,
    an audience nobody holds) simply has no document: `documents_for` leaves it out, and
    the indexing outbox turns a missing document into a delete.
    """

    kinds: tuple[str, ...] = ()
    chunk_size = CHUNK_SIZE

    def candidate_pks(self):
        """A queryset of primary keys (values_list flat) that may have documents."""
        raise NotImplementedError

    def build(self, pks: list[int]) -> list[dict]:
        """The documents for `pks` (those that should have one), in a few queries."""
        raise NotImplementedError

    # --- Shared machinery -------------------------------------------------------------------

    def documents_for(self, pks: Iterable[int]) -> dict[str, dict]:
        pks = sorted({int(pk) for pk in pks})
        documents = {}
        for start in range(0, len(pks), self.chunk_size):
            for document in self.build(pks[start : start + self.chunk_size]):
                documents[document["id"]] = document
        return documents

    def pk_chunks(self) -> Iterator[list[int]]:
        """Candidate primary keys in ascending chunks (keyset pagination: constant memory
        and no OFFSET scans however many rows exist)."""
        last = None
        while True:
            query = self.candidate_pks().order_by("pk")
            if last is not None:
                query = query.filter(pk__gt=last)
            chunk = list(query[: self.chunk_size])
            if not chunk:
                return
            yield chunk
            last = chunk[-1]

    def __iter__(self) -> Iterator[dict]:
        for chunk in self.pk_chunks():
            yield from self.build(chunk)

    def __call__(self) -> Iterator[dict]:
        """Every document of this source (what search.documents.register_document_source
        expects: a callable giving an iterable)."""
        return iter(self)

    def count(self) -> int:
        """How many candidates there are (known up front, for a progress bar)."""
        return self.candidate_pks().count()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {', '.join(self.kinds)}>"


def lowered(values: Iterable[str]) -> list[str]:
    """Lowercased, de-duplicated, sorted keyword values ("MO" -> "mo")."""
    return sorted({value.strip().lower() for value in values if value and value.strip()})


def aware(value: datetime | None) -> datetime:
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def document(
    *,
    kind: str,
    pk: int,
    title: str,
    body: str,
    url: str,
    published_at: datetime,
    audience: Iterable[str],
    association: str = "",
    category: str = "",
    tags: Iterable[str] = (),
    jurisdictions: Iterable[str] = (),
    author: str = "",
    author_id: int | None = None,
    year: int | None = None,
    answered: bool = False,
    topic_kind: str = "",
) -> dict:
    """One search document in the shape search/documents.py describes."""
    published_at = aware(published_at)
    return {
        "id": f"{kind}:{pk}",
        "kind": kind,
        "title": title,
        "body": body,
        "url": url,
        "association": (association or "").lower(),
        "category": (category or "").lower(),
        "tags": lowered(tags),
        "jurisdictions": lowered(jurisdictions),
        "author": author,
        "author_id": author_id,
        "published_at": published_at,
        "year": year if year is not None else timezone.localtime(published_at).year,
        "answered": bool(answered),
        "topic_kind": topic_kind,
        "audience": sorted(set(audience)),
    }
