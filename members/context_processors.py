from django.urls import NoReverseMatch, reverse

from members.selectors import associations_for_switcher

# Primary navigation, in order. A section appears once its app has routed its URL, so the
# header never links to a page that does not exist yet.
PRIMARY_NAVIGATION = [
    ("Forum", "forum:index"),
    ("Newsletters", "newsletters:index"),
    ("Legislative updates", "legislation:index"),
    ("Events", "events:index"),
    ("Members", "members:directory"),
]


def resolvable(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def site_navigation(request):
    sections = [
        {"label": label, "url": url}
        for label, url_name in PRIMARY_NAVIGATION
        if (url := resolvable(url_name)) is not None
    ]
    current_path = request.path
    for section in sections:
        section["current"] = current_path.startswith(section["url"])
    return {
        "primary_navigation": sections,
        "associations": associations_for_switcher(),
        "search_url": resolvable("search:results"),
    }
