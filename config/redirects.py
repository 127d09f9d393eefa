"""Where a form or link may send someone back to: only this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, fallback: str = "", *, also=()) -> str:
    """Where to go back to: the `next` the form or link carried (POST, then GET), then any
    of `also` (the Referer, say), whichever comes first and stays on this site; otherwise
    `fallback`. Never another host, nor http from an https page."""
    for target in (request.POST.get("next"), request.GET.get("next"), *also):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return fallback
