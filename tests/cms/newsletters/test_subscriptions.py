"""Subscribing (active members only) and unsubscribing: the button on the newsletter's pages
and the signed link in each email, which works without signing in, never acts on GET, and
refuses a tampered token."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cms.newsletters import services
from cms.newsletters.models import NewsletterSubscription
from tests.cms.newsletters.conftest import make_issue, newsletter_site
from tests.factories import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def subscription_url(site):
    return reverse("newsletters:subscription", args=[site.association.slug])


def is_subscribed(user, site) -> bool:
    return NewsletterSubscription.objects.filter(user=user, association=site.association, is_active=True).exists()


def test_a_member_subscribes_and_unsubscribes_with_the_button(client, site):
    member = member_of(site.association)
    client.force_login(member)
    page = client.get(site.index.url)
    assert b'value="subscribe"' in page.content

    response = client.post(subscription_url(site), {"action": "subscribe", "next": site.index.url}, follow=True)
    assert response.redirect_chain[-1][0] == site.index.url
    assert is_subscribed(member, site)
    assert "You are subscribed" in response.content.decode()
    assert b'value="unsubscribe"' in response.content

    response = client.post(subscription_url(site), {"action": "unsubscribe", "next": site.index.url}, follow=True)
    assert not is_subscribed(member, site)
    assert "no longer get" in response.content.decode()
    # Subscribing twice or unsubscribing twice changes nothing more.
    services.subscribe(member, site.association)
    services.subscribe(member, site.association)
    assert NewsletterSubscription.objects.filter(user=member).count() == 1


@pytest.mark.parametrize("status", ["applied", "lapsed", "rejected"])
def test_only_active_members_may_subscribe(client, site, status):
    person = member_of(site.association, status=status)
    client.force_login(person)
    page = client.get(site.index.url).content.decode()
    assert 'value="subscribe"' not in page
    assert "Email delivery is for active members" in page
    response = client.post(subscription_url(site), {"action": "subscribe"}, follow=True)
    assert not is_subscribed(person, site)
    assert "Only active members of" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.subscribe(person, site.association)


def test_a_member_of_another_association_may_not_subscribe(client, site):
    other = newsletter_site()
    outsider = member_of(other.association)
    client.force_login(outsider)
    client.post(subscription_url(site), {"action": "subscribe"})
    assert not NewsletterSubscription.objects.filter(user=outsider).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, site):
    page = client.get(site.index.url).content.decode()
    assert "Sign in to subscribe" in page
    response = client.post(subscription_url(site), {"action": "subscribe", "next": site.index.url})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not NewsletterSubscription.objects.exists()


def test_the_subscription_endpoint_refuses_get_unknown_actions_and_foreign_redirects(client, site):
    member = member_of(site.association)
    client.force_login(member)
    assert client.get(subscription_url(site)).status_code == 405
    assert client.post(subscription_url(site), {"action": "everything"}).status_code == 400
    response = client.post(subscription_url(site), {"action": "subscribe", "next": "https://evil.example/"})
    assert response["Location"] == site.index.url
    assert client.post(reverse("newsletters:subscription", args=["no-such-association"]), {"action": "subscribe"}).status_code == 404


def test_unsubscribe_link_get_only_confirms_and_post_unsubscribes_without_signing_in(client, site):
    member = member_of(site.association)
    subscription = services.subscribe(member, site.association)
    url = reverse("newsletters:unsubscribe", args=[services.unsubscribe_token(subscription.pk)])

    page = client.get(url)  # a mail scanner prefetching the link
    assert page.status_code == 200
    assert is_subscribed(member, site)
    html = page.content.decode()
    assert "Unsubscribe from the" in html and '<form method="post">' in html
    assert member.email not in html  # masked: the owner recognises it, a forwardee learns little
    assert page["Referrer-Policy"] == "no-referrer" and "no-store" in page["Cache-Control"]

    done = client.post(url)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not is_subscribed(member, site)
    # The old link still answers sensibly.
    assert "already unsubscribed" in client.get(url).content.decode()


def test_one_click_unsubscribe_from_the_mail_client_needs_no_csrf_token(site):
    from django.test import Client

    member = member_of(site.association)
    subscription = services.subscribe(member, site.association)
    strict_client = Client(enforce_csrf_checks=True)
    url = reverse("newsletters:unsubscribe", args=[services.unsubscribe_token(subscription.pk)])
    response = strict_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not is_subscribed(member, site)


def test_a_tampered_or_forged_unsubscribe_token_is_refused(client, site):
    victim = member_of(site.association)
    subscription = services.subscribe(victim, site.association)
    other = services.subscribe(member_of(site.association), site.association)
    token = services.unsubscribe_token(subscription.pk)
    other_token = services.unsubscribe_token(other.pk)
    value, signature = token.split(":", 1)
    forged = [
        f"{other.pk}:{signature}",  # someone else's id with this signature
        f"{value}:{other_token.split(':', 1)[1]}",  # this id with someone else's signature
        f"{value}:{signature[:-2]}xx",
        value,
        "garbage",
    ]
    for bad in forged:
        for method in (client.get, client.post):
            response = method(reverse("newsletters:unsubscribe", args=[bad]))
            assert response.status_code == 400, bad
            assert "This unsubscribe link is not valid" in response.content.decode()
    assert is_subscribed(victim, site)
    assert NewsletterSubscription.objects.filter(is_active=True).count() == 2


def test_a_token_for_a_deleted_subscription_is_refused(client, site):
    member = member_of(site.association)
    subscription = services.subscribe(member, site.association)
    token = services.unsubscribe_token(subscription.pk)
    subscription.delete()
    assert client.post(reverse("newsletters:unsubscribe", args=[token])).status_code == 400


def test_issue_page_offers_the_same_button(client, site):
    issue = make_issue(site.index)
    client.force_login(member_of(site.association))
    assert b'value="subscribe"' in client.get(issue.url).content
