"""Preferences per kind (/notifications/preferences/): saved in one POST through
services.set_preference, kept on error, and honoured by notify(): off writes nothing, the site
only sends no email, immediately emails at once, digest waits for the daily digest."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from notifications.models import DEFAULT_DELIVERY, Delivery, Kind, Notification, NotificationPreference
from notifications.selectors import preferences_for
from notifications.tasks import send_digests
from tests.factories import UserFactory
from tests.notifications.test_centre import forum_world, reply

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

PREFERENCES = reverse("notifications:preferences")


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def forum(django_capture_on_commit_callbacks):
    return forum_world(django_capture_on_commit_callbacks)


def all_kinds(**chosen) -> dict[str, str]:
    """A full form submission: every kind's current default, with `chosen` changed."""
    return {kind.value: chosen.get(kind.value, DEFAULT_DELIVERY[kind].value) for kind in Kind}


def to(user, outbox) -> list:
    return [message for message in outbox if message.to == [user.email]]


def checked(html: str, kind: str) -> list[str]:
    """The values of the checked radio buttons for `kind`."""
    inputs = re.findall(rf'<input type="radio" name="{kind}"[^>]*>', html)
    return [re.search(r'value="([^"]+)"', tag).group(1) for tag in inputs if " checked" in tag]


def test_one_fieldset_per_kind_with_the_current_choices(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get(PREFERENCES).content.decode()
    assert html.count('<fieldset class="usa-fieldset">') == len(Kind)
    for kind in Kind:
        assert f'<legend class="usa-legend text-bold">{escape(kind.label)}</legend>' in html
        assert checked(html, kind.value) == [DEFAULT_DELIVERY[kind].value]
        for delivery in Delivery:
            assert f'value="{delivery.value}"' in html
    # Each radio has its own label.
    for radio_id in re.findall(r'<input type="radio"[^>]*id="([^"]+)"', html):
        assert f'<label class="usa-radio__label" for="{radio_id}">' in html
    assert reverse("notifications:centre") in html


def test_saving_all_preferences_in_one_post(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PREFERENCES, all_kinds(reply="immediate", mention="off", helpful_votes="digest"))
    assert response.status_code == 302 and response["Location"] == PREFERENCES
    assert preferences_for(user)["reply"] == "immediate"
    assert preferences_for(user)["mention"] == "off"
    assert preferences_for(user)["helpful_votes"] == "digest"
    # Only the kinds that changed are stored; the rest follow the defaults.
    assert set(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True)) == {
        "reply", "mention", "helpful_votes",
    }
    html = client.get(PREFERENCES).content.decode()
    assert "Your notification settings are saved." in html
    assert checked(html, "reply") == ["immediate"]
    assert checked(html, "mention") == ["off"]


def test_a_bad_submission_saves_nothing_and_keeps_what_was_chosen(client):
    user = UserFactory()
    client.force_login(user)
    data = all_kinds(reply="off", mention="digest")
    data["moderation"] = "carrier-pigeon"
    del data["newsletter"]
    response = client.post(PREFERENCES, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your settings were not saved" in html
    assert "Choose one of the options for: moderators" in html
    assert "Choose how to hear about: new newsletter issues" in html
    assert checked(html, "reply") == ["off"]
    assert checked(html, "mention") == ["digest"]
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_preferences_of_one_member_only(client):
    user, other = UserFactory(), UserFactory()
    client.force_login(user)
    client.post(PREFERENCES, all_kinds(reply="off"))
    assert preferences_for(other)["reply"] == DEFAULT_DELIVERY[Kind.REPLY]


def test_off_means_no_notification(client, forum, django_capture_on_commit_callbacks, mailoutbox, immediate_tasks):
    client.force_login(forum.reader)
    client.post(PREFERENCES, all_kinds(reply="off"))
    reply(django_capture_on_commit_callbacks, forum.replier, forum.topic)
    assert not Notification.objects.filter(recipient=forum.reader).exists()
    assert mailoutbox == []


def test_site_only_means_a_notification_and_no_email(client, forum, django_capture_on_commit_callbacks, mailoutbox,
                                                    immediate_tasks):
    client.force_login(forum.reader)
    client.post(PREFERENCES, all_kinds(reply="in_app"))
    reply(django_capture_on_commit_callbacks, forum.replier, forum.topic)
    assert Notification.objects.filter(recipient=forum.reader, kind="reply").count() == 1
    send_digests()  # the topic's author (who follows it) gets one; the reader does not
    assert to(forum.reader, mailoutbox) == []


def test_immediately_means_an_email_at_once(client, forum, django_capture_on_commit_callbacks, mailoutbox,
                                            immediate_tasks):
    client.force_login(forum.reader)
    client.post(PREFERENCES, all_kinds(reply="immediate"))
    reply(django_capture_on_commit_callbacks, forum.replier, forum.topic)
    [notification] = Notification.objects.filter(recipient=forum.reader)
    [message] = mailoutbox
    assert message.to == [forum.reader.email]
    assert message.subject == notification.title
    assert message.alternatives[0].mimetype == "text/html"
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_digest_means_no_email_now_and_the_digest_later(client, forum, django_capture_on_commit_callbacks, mailoutbox,
                                                        immediate_tasks):
    client.force_login(forum.reader)
    client.post(PREFERENCES, all_kinds(reply="digest"))
    reply(django_capture_on_commit_callbacks, forum.replier, forum.topic)
    [notification] = Notification.objects.filter(recipient=forum.reader)
    assert mailoutbox == []
    send_digests()
    [digest] = to(forum.reader, mailoutbox)
    assert notification.title in digest.body
