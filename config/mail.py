"""Small helpers every email shares: links that work outside the site, and an address shown
on an unsubscribe page."""

from django.conf import settings


def absolute_url(url: str | None) -> str:
    """`url` (a path on this site, or already absolute) as an absolute URL on SITE_URL."""
    site = settings.SITE_URL.rstrip("/")
    if not url:
        return site + "/"
    return url if url.startswith(("http://", "https://")) else site + url


def masked_email(email: str) -> str:
    """Enough of the address for its owner to recognise it, not enough for anyone they
    forwarded the email to."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "your address"
