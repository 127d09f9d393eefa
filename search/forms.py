"""Reading the search page's address: the box (`q`, parsed by search.syntax) and the facet
links (`kind`, `association`, `category`, `tag`, `jurisdiction`, `year`, `answered`), plus
`sort` and `page`. Nothing here raises on bad input: each problem becomes a plain message
for the page, and the search runs with what could be understood."""

from dataclasses import dataclass, field

from search.query import MAX_FILTER_VALUES, MAX_TEXT_CHARS, SORTS
from search.selectors import KIND_LABELS
from search.syntax import ParsedQuery, parse_query


@dataclass(frozen=True)
class Facet:
    name: str  # the backend's facet (search.query.FACET_NAMES)
    parameter: str  # the address parameter that filters by it
    heading: str
    query_filter: str | None = None  # the SearchQuery field it fills (year and answered are read apart)


FACETS = (
    Facet("kind", "kind", "Type", "kinds"),
    Facet("association", "association", "Association", "associations"),
    Facet("category", "category", "Forum category", "categories"),
    Facet("tags", "tag", "Tag", "tags"),
    Facet("jurisdictions", "jurisdiction", "Jurisdiction", "jurisdictions"),
    Facet("year", "year", "Year"),
    Facet("answered", "answered", "Answered questions"),
)
ANSWERED_VALUES = {"yes": True, "no": False}
MAX_VALUE_CHARS = 100
MAX_PAGE = 1_000_000


@dataclass
class SearchRequest:
    q: str = ""
    parsed: ParsedQuery = field(default_factory=lambda: parse_query(""))
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # SearchQuery field → values
    year: int | None = None
    answered: bool | None = None
    sort: str = "relevance"
    sort_given: bool = False
    page: int = 1
    messages: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(any(self.filters.values()) or self.year is not None or self.answered is not None)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: no words, no phrases, no filter from the box or the facets."""
        return not self.parsed.as_query_kwargs() and not self.has_filters

    def query_kwargs(self) -> dict:
        """Keyword arguments for SearchQuery (without the audience)."""
        kwargs = self.parsed.as_query_kwargs()
        for name, values in self.filters.items():
            kwargs[name] = tuple(dict.fromkeys([*kwargs.get(name, ()), *values]))
        # Browsing by filters alone lists the newest first unless a sort was chosen.
        sort = self.sort if self.sort_given or kwargs.get("text") or kwargs.get("phrases") else "date"
        return {**kwargs, "year": self.year, "answered": self.answered, "sort": sort, "page": self.page}


def read_search_request(params) -> SearchRequest:
    """A SearchRequest from a QueryDict (request.GET)."""
    request = SearchRequest()
    messages = request.messages

    q = params.get("q", "")
    if len(q) > MAX_TEXT_CHARS:
        q = q[:MAX_TEXT_CHARS]
        messages.append(f"Your search was too long, so only its first {MAX_TEXT_CHARS:,} characters were used.")
    request.q = q
    request.parsed = parse_query(q)
    messages.extend(request.parsed.messages)

    for facet in FACETS:
        if facet.query_filter is None:
            continue
        parameter = facet.parameter
        values = [value.strip().lower()[:MAX_VALUE_CHARS] for value in params.getlist(parameter)[:MAX_FILTER_VALUES]]
        values = [value for value in values if value or parameter == "association"]
        if parameter == "kind":
            unknown = [value for value in values if value not in KIND_LABELS]
            if unknown:
                messages.append("Unknown result type ignored: " + ", ".join(value[:30] for value in unknown[:3]) + ".")
            values = [value for value in values if value in KIND_LABELS]
        if values:
            request.filters[facet.query_filter] = tuple(dict.fromkeys(values))

    year = params.get("year", "").strip()
    if year:
        if year.isdigit() and 1900 <= int(year) <= 2200:
            request.year = int(year)
        else:
            messages.append("The year filter was ignored: a year is four digits, like 2025.")

    answered = params.get("answered", "").strip().lower()
    if answered:
        if answered in ANSWERED_VALUES:
            request.answered = ANSWERED_VALUES[answered]
        else:
            messages.append("The answered filter was ignored: use yes or no.")

    sort = params.get("sort", "").strip().lower()
    if sort:
        if sort in SORTS:
            request.sort, request.sort_given = sort, True
        else:
            messages.append("Unknown sort order; results are sorted by relevance.")

    page = params.get("page", "").strip()
    if page:
        try:
            request.page = int(page)
        except ValueError:
            request.page = 1
            messages.append("The page number was not a number, so the first page is shown.")
        else:
            if request.page < 1:
                request.page = 1
                messages.append("Page numbers start at 1, so the first page is shown.")
            request.page = min(request.page, MAX_PAGE)
    return request
