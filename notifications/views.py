"""The notification centre (list, filters, mark read, open), the preferences page, and the
unsubscribe link from notification emails.

Everything listed comes from `visible_notifications(user)`, which checks each target again:
what the member may no longer see is neither listed nor opened.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from config.mail import masked_email
from config.redirects import safe_next_url
from notifications import services
from notifications.emails import InvalidUnsubscribeLink, read_unsubscribe_token
from notifications.forms import PreferencesForm
from notifications.models import Delivery, Kind
from notifications.selectors import preferences_for, visible_notifications

PER_PAGE = 20
SHOW_CHOICES = [("all", "All notifications"), ("unread", "Unread only")]
EMAILED = {Delivery.IMMEDIATE, Delivery.DIGEST}


def _filters(request) -> dict[str, str]:
    """The kind and unread filters from the query string; a value we do not know is
    dropped with a message (a stale bookmark or a hand-edited link), never an error."""
    chosen = {}
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        chosen["kind"] = kind
    elif kind:
        messages.warning(request, "That kind of notification is not one we know, so all kinds are shown.")
    show = request.GET.get("show", "")
    if show in dict(SHOW_CHOICES):
        chosen["show"] = show
    elif show:
        messages.warning(request, "That choice of what to show is not one we know, so all notifications are shown.")
    return chosen


@login_required
def centre(request):
    filters = _filters(request)
    notifications = visible_notifications(request.user)
    if "kind" in filters:
        notifications = notifications.filter(kind=filters["kind"])
    if filters.get("show") == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    paginator = Paginator(notifications.order_by("-created_at", "-id"), PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    kind_labels = dict(Kind.choices)
    return render(request, "notifications/centre.html", {
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
        "items": [(row, kind_labels.get(row.kind, row.kind)) for row in page_obj.object_list],
        "filters": filters,
        "is_filtered": bool(filters),
        "kind_choices": Kind.choices,
        "show_choices": SHOW_CHOICES,
        "unread_total": visible_notifications(request.user).filter(read_at__isnull=True).count(),
    })


def _own_site_hosts(request) -> set[str]:
    """This request's host and the installation's own association sites (Wagtail Site
    host names), where a notification about a page on an association's own domain leads."""
    from wagtail.models import Site

    hosts = {request.get_host()}
    for hostname, port in Site.objects.values_list("hostname", "port"):
        hosts |= {hostname, f"{hostname}:{port}"}
    return hosts


@login_required
@require_http_methods(["GET", "HEAD"])
def open_notification(request, pk):
    """Follow a notification's link: mark it read, then go to what it is about. Only the
    member's own, still-visible notifications open, and only to this site."""
    notification = visible_notifications(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    if request.method == "GET":  # a HEAD (a link checker) reads nothing
        services.mark_read(request.user, [notification.pk])
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=_own_site_hosts(request),
                                       require_https=request.is_secure()):
        return redirect(notification.url)
    return redirect("notifications:centre")


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


@login_required
@require_POST
def mark_read(request):
    # mark_read only touches the member's own rows: someone else's id changes nothing.
    changed = services.mark_read(request.user, _ids(request.POST.getlist("id")))
    messages.success(request, "Marked as read." if changed else "That notification was already read.")
    return redirect(safe_next_url(request, reverse("notifications:centre")))


@login_required
@require_POST
def mark_all_read(request):
    changed = services.mark_all_read(request.user)
    if changed:
        messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} as read.")
    else:
        messages.info(request, "You have no unread notifications.")
    return redirect(safe_next_url(request, reverse("notifications:centre")))


@login_required
def preferences(request):
    current = preferences_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            for kind, delivery in form.chosen().items():
                if current[kind] != delivery:
                    services.set_preference(request.user, kind, delivery)
            messages.success(request, "Your notification settings are saved.")
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial=current)
    return render(request, "notifications/preferences.html", {"form": form})


# Mail clients' one-click unsubscribe (RFC 8058) POSTs here without a CSRF token; the
# signed token in the URL is what proves the request comes from the email's recipient.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows what the link would do and a button; only POST changes anything (mail
    scanners open links in emails before people do). It stops the emails of the kinds the
    link names; those notifications still appear on the site."""
    try:
        link = read_unsubscribe_token(token)
    except InvalidUnsubscribeLink:
        response = render(request, "notifications/unsubscribe_invalid.html", status=400)
    else:
        current = preferences_for(link.user)
        emailed = [kind for kind in link.kinds if current[kind.value] in EMAILED]
        done = False
        if request.method == "POST":
            for kind in emailed:
                services.set_preference(link.user, kind, Delivery.IN_APP)
            done = True
        response = render(request, "notifications/unsubscribe.html", {
            "kinds": [kind.label for kind in link.kinds],
            "emailed": emailed,
            "done": done,
            "email": masked_email(link.user.email),
        })
    # The link is a secret: keep it out of caches, search engines and referrers.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
