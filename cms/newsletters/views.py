"""Public newsletter views beside the Wagtail pages: the list of newsletters, the subscribe
button's target, and the unsubscribe link from each email."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cms.newsletters import selectors, services
from config.mail import masked_email
from config.redirects import safe_next_url
from members.models import Association


@require_safe
def all_newsletters(request):
    return render(request, "cms/newsletters/all_newsletters.html", {"newsletters": selectors.newsletters_by_association()})


@require_POST
def change_subscription(request, association_slug):
    """The subscribe / unsubscribe button on the newsletter's pages."""
    association = get_object_or_404(Association, slug=association_slug)
    index_page = selectors.newsletter_index_for(association)
    back = safe_next_url(request, index_page.url if index_page else "/")
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    action = request.POST.get("action")
    if action == "subscribe":
        try:
            services.subscribe(request.user, association)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"You are subscribed to the {association.short_name} newsletter. New issues will come to {request.user.email}."
            )
    elif action == "unsubscribe":
        services.unsubscribe(request.user, association)
        messages.success(request, f"You will no longer get the {association.short_name} newsletter by email.")
    else:
        return HttpResponseBadRequest("Choose subscribe or unsubscribe.")
    return redirect(back)


# Mail clients' one-click unsubscribe (RFC 8058) POSTs here without a CSRF token; the
# signed token in the URL is what proves the request comes from the email's recipient.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_by_link(request, token):
    """GET shows what the link would do and a button; only POST unsubscribes (mail
    scanners open links in emails before people do)."""
    try:
        subscription = services.subscription_for_token(token)
    except services.InvalidUnsubscribeLink:
        response = render(request, "cms/newsletters/unsubscribe_invalid.html", status=400)
    else:
        done = False
        if request.method == "POST":
            subscription = services.unsubscribe_with_token(token)
            done = True
        response = render(request, "cms/newsletters/unsubscribe.html", {
            "subscription": subscription,
            "association": subscription.association,
            "email": masked_email(subscription.user.email),
            "done": done,
            "index_page": selectors.newsletter_index_for(subscription.association),
        })
    # The link is a secret: keep it out of caches, search engines and referrers.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
