"""The confidential case-data guard in the posting flow (forum/guard.py): the services' rule
(confirm with a reason, or held for a moderator), and the forms that show the findings
inline, keep everything typed and re-scan on every submission. Held posts and their
findings stay with the author and the moderators."""

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from forum import guard, services
from forum.confidential import FindingKind
from forum.models import GuardFinding, Post, PostRevision, Topic, Visibility
from forum.moderation import approve_post, moderation_queue
from members.models import Association
from search.sources import documents_for
from tests.factories import JurisdictionFactory
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.pages import form_token, soup

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

SSN_TEXT = "The obligor's SSN: 212-34-5678 is on the income withholding order."
SSN = "212-34-5678"
PHONE_TEXT = "For the example, call the obligor at 573-555-0142 before the hearing."
PHONE = "573-555-0142"
CLEAN_TEXT = "Which documents does your tribunal require before it registers an order for enforcement only?"
TITLE = "Registering a Texas order for enforcement only"


def hidden(page: BeautifulSoup, name: str) -> str:
    field = page.find("input", attrs={"name": name})
    return field["value"] if field is not None and field.has_attr("value") else ""


def assert_no_text_stored(*texts):
    for row in GuardFinding.objects.values():
        for value in row.values():
            for text in texts:
                assert text not in str(value)


# --- The check ---------------------------------------------------------------------------------------


def test_check_scans_title_and_body_with_places_and_lines(association):
    check = guard.check_post_text("SSN 212-34-5678 question", f"First line\n\n{PHONE_TEXT}", association)
    assert [(item.place, item.kind) for item in check.findings] == [
        ("title", FindingKind.SSN), ("body", FindingKind.PHONE_NUMBER)
    ]
    assert check.findings[1].line == 3 and check.findings[1].where == "line 3"
    assert check.high_risk and not check.can_confirm and check.must_hold
    assert SSN not in check.fingerprint and len(check.fingerprint) == 32


def test_phrases_and_modes(association):
    assert guard.phrase_list(["ssn", "case_number"]) == "a Social Security number and a case, docket or cause number"
    assert guard.guard_mode_for(None) == Association.GuardMode.WARN
    association.guard_mode = Association.GuardMode.HOLD
    assert not guard.check_post_text(None, PHONE_TEXT, association).can_confirm


# --- The services -------------------------------------------------------------------------------------


def test_a_clean_topic_publishes_without_findings(member, category):
    topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
    assert topic.status == Visibility.PUBLISHED
    assert not GuardFinding.objects.exists()


def test_findings_without_confirmation_are_held_by_the_service_itself(member, category):
    topic = make_topic(member, category, title=TITLE, body=PHONE_TEXT)
    post = topic.posts.get()
    assert topic.status == post.status == Visibility.HELD
    (row,) = GuardFinding.objects.all()
    assert (row.post, row.kind, row.outcome, row.association_id) == (
        post, FindingKind.PHONE_NUMBER, GuardFinding.Outcome.HELD, category.association_id
    )
    assert PHONE_TEXT[row.start:row.end] == PHONE  # offsets into the stored body
    assert_no_text_stored(PHONE)


def test_confirmed_with_a_reason_publishes_and_records_the_reason(member, category):
    topic = make_topic(member, category, title=TITLE, body=PHONE_TEXT, confirmed_reason="Made-up number for the example.")
    assert topic.status == Visibility.PUBLISHED
    (row,) = GuardFinding.objects.all()
    assert row.outcome == GuardFinding.Outcome.CONFIRMED
    assert row.reason == "Made-up number for the example." and row.decided_by == member


def test_a_blank_reason_is_refused(member, category):
    with pytest.raises(services.PostingError) as refused:
        make_topic(member, category, title=TITLE, body=PHONE_TEXT, confirmed_reason="   ")
    assert "guard_reason" in refused.value.message_dict
    assert not Topic.objects.exists()


def test_high_risk_findings_cannot_be_confirmed_away(member, category):
    topic = make_topic(member, category, title=TITLE, body=SSN_TEXT, confirmed_reason="It is only an example.")
    assert topic.status == Visibility.HELD
    (row,) = GuardFinding.objects.all()
    assert row.high_risk and row.outcome == GuardFinding.Outcome.HELD and row.reason == ""
    assert_no_text_stored(SSN)


def test_hold_mode_holds_even_confirmed_findings(member, category, association):
    association.guard_mode = Association.GuardMode.HOLD
    association.save()
    topic = make_topic(member, category, title=TITLE, body=PHONE_TEXT, confirmed_reason="Made up.")
    assert topic.status == Visibility.HELD


def test_the_commons_warns(member):
    commons = CategoryFactory(association=None, visibility="members")
    topic = make_topic(member, commons, title=TITLE, body=PHONE_TEXT, confirmed_reason="Made up.")
    assert topic.status == Visibility.PUBLISHED
    assert GuardFinding.objects.get().association_id is None


def test_the_title_is_scanned_too(member, category):
    topic = make_topic(member, category, title="Obligor SSN 212-34-5678 in the order?", body=CLEAN_TEXT)
    assert topic.status == Visibility.HELD
    row = GuardFinding.objects.get()
    assert guard.is_title_finding(row) and row.kind == FindingKind.SSN


def test_replies_follow_the_same_rule(member, other_member, category):
    topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
    confirmed = make_reply(other_member, topic, body=PHONE_TEXT, confirmed_reason="A court's public line.")
    held = make_reply(other_member, topic, body=SSN_TEXT)
    assert confirmed.status == Visibility.PUBLISHED and held.status == Visibility.HELD
    topic.refresh_from_db()
    assert topic.post_count == 2 and topic.last_post_id == confirmed.pk
    assert guard.held_message(held, "reply") == (
        "Your reply is waiting for a moderator because it seems to contain a Social Security number. "
        "Nobody else can see it until a moderator reviews it."
    )


def test_editing_a_published_post_to_add_an_ssn_holds_it(member, category):
    topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
    post = topic.posts.get()
    services.edit_post(member, post, body=CLEAN_TEXT + "\n\n" + SSN_TEXT)
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.status == topic.status == Visibility.HELD
    assert topic.post_count == 0
    assert PostRevision.objects.get(post=post).body == CLEAN_TEXT
    assert GuardFinding.objects.get().outcome == GuardFinding.Outcome.HELD


def test_editing_with_a_confirmed_finding_stays_published(member, other_member, category):
    topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
    reply = make_reply(other_member, topic, body="We file with the clerk.")
    services.edit_post(other_member, reply, body=PHONE_TEXT, confirmed_reason="Made-up number.")
    reply.refresh_from_db()
    assert reply.status == Visibility.PUBLISHED
    assert GuardFinding.objects.get().outcome == GuardFinding.Outcome.CONFIRMED


def test_an_unchanged_edit_is_not_scanned_again(member, category):
    topic = make_topic(member, category, title=TITLE, body=PHONE_TEXT, confirmed_reason="Made up.")
    services.edit_post(member, topic.posts.get(), body=PHONE_TEXT, title=TITLE)
    assert GuardFinding.objects.count() == 1


# --- The new-topic form -------------------------------------------------------------------------------


def new_topic_url(category):
    return reverse("forum:new_topic", args=[category.slug])


def topic_form(client, category, **overrides):
    jurisdiction = JurisdictionFactory()
    data = {
        "submission_token": form_token(client, new_topic_url(category)),
        "kind": "procedure", "title": TITLE, "body": PHONE_TEXT + "\n\n<script>alert(1)</script>",
        "tags": "uifsa, registration", "jurisdictions": [str(jurisdiction.pk)],
    }
    data.update(overrides)
    return data


def test_findings_show_inline_with_everything_kept_and_nothing_posted(client, member, category):
    client.force_login(member)
    data = topic_form(client, category)
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 200
    assert not Topic.objects.exists() and not GuardFinding.objects.exists()
    page = soup(response)
    # Everything typed is still in the form.
    assert page.find("input", attrs={"name": "title"})["value"] == TITLE
    assert page.find("textarea", attrs={"name": "body"}).text.strip() == data["body"]
    assert page.find("input", attrs={"name": "tags"})["value"] == "uifsa, registration"
    assert page.find("input", attrs={"name": "kind", "value": "procedure"}).has_attr("checked")
    assert page.find("option", attrs={"value": data["jurisdictions"][0]}).has_attr("selected")
    # An accessible summary that takes the focus, and the findings listed with why they matter.
    alert = page.find(id="topic-guard-alert")
    assert alert["role"] == "alert" and alert.has_attr("autofocus") and alert["tabindex"] == "-1"
    (item,) = alert.select(".comity-guard-findings li")
    assert "Personal phone number" in item.text and "line 1" in item.text and "contact details" in item.text
    # The text with the span highlighted, escaped.
    (mark,) = page.select(".comity-guard-preview mark")
    assert PHONE in mark.text
    preview = page.select_one("div.comity-guard-preview")
    assert preview.find("script") is None and "<script>alert(1)</script>" in preview.text
    # What was shown, and the confirmation fields.
    assert hidden(page, "guard_seen") == guard.check_post_text(TITLE, data["body"], category.association).fingerprint
    assert page.find("input", attrs={"name": "guard_confirm"}) is not None
    assert page.find("textarea", attrs={"name": "guard_reason"}) is not None
    assert PHONE not in hidden(page, "guard_seen")


def test_confirming_with_a_reason_publishes(client, member, category):
    client.force_login(member)
    data = topic_form(client, category)
    page = soup(client.post(new_topic_url(category), data))
    data.update(guard_seen=hidden(page, "guard_seen"), guard_confirm="on", guard_reason="Made-up number for the example.",
                submission_token=hidden(page, "submission_token"))
    response = client.post(new_topic_url(category), data)
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert topic.status == Visibility.PUBLISHED and list(topic.tags.names()) != []
    row = GuardFinding.objects.get()
    assert row.outcome == GuardFinding.Outcome.CONFIRMED and row.reason == "Made-up number for the example."


def test_confirming_without_a_reason_is_an_error(client, member, category):
    client.force_login(member)
    data = topic_form(client, category)
    page = soup(client.post(new_topic_url(category), data))
    data.update(guard_seen=hidden(page, "guard_seen"), guard_confirm="on", guard_reason=" ")
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 400 and not Topic.objects.exists()
    page = soup(response)
    assert "Say why this is not real case data" in page.find(id="id_guard_reason_error").text
    assert page.find("input", attrs={"name": "guard_confirm"}).has_attr("checked")


def test_sending_again_without_deciding_is_an_error(client, member, category):
    client.force_login(member)
    data = topic_form(client, category)
    page = soup(client.post(new_topic_url(category), data))
    data.update(guard_seen=hidden(page, "guard_seen"))
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 400 and not Topic.objects.exists()
    assert "Edit the text to take it out" in soup(response).find(id="id_guard_confirm_error").text


def test_new_findings_are_shown_again_even_when_confirmed(client, member, category):
    client.force_login(member)
    data = topic_form(client, category)
    page = soup(client.post(new_topic_url(category), data))
    data.update(guard_seen=hidden(page, "guard_seen"), guard_confirm="on", guard_reason="Made up.",
                body=data["body"] + "\n\nAnd the child was born 03/14/2015, DOB 03/14/2015.")
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 200 and not Topic.objects.exists()
    page = soup(response)
    assert not page.find("input", attrs={"name": "guard_confirm"}).has_attr("checked")
    assert page.find("textarea", attrs={"name": "guard_reason"}).text.strip() == "Made up."
    assert "Date of birth" in page.find(id="topic-guard-alert").text


def test_high_risk_explains_the_hold_then_holds(client, member, category):
    client.force_login(member)
    data = topic_form(client, category, body=SSN_TEXT)
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 200 and not Topic.objects.exists()
    page = soup(response)
    assert "cannot be confirmed away" in page.find(id="topic-guard-alert").text
    assert page.find("input", attrs={"name": "guard_confirm"}) is None
    assert page.select_one("form.comity-topic-form button[type=submit]").text.strip() == "Send to a moderator"
    data.update(guard_seen=hidden(page, "guard_seen"))
    response = client.post(new_topic_url(category), data, follow=True)
    topic = Topic.objects.get()
    assert topic.status == Visibility.HELD
    assert "Your topic is waiting for a moderator because it seems to contain a Social Security number" in response.content.decode()
    assert GuardFinding.objects.get().outcome == GuardFinding.Outcome.HELD


def test_editing_the_finding_out_publishes(client, member, category):
    client.force_login(member)
    data = topic_form(client, category, body=SSN_TEXT)
    page = soup(client.post(new_topic_url(category), data))
    data.update(guard_seen=hidden(page, "guard_seen"), body="The obligor's SSN is on the income withholding order.")
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 302
    assert Topic.objects.get().status == Visibility.PUBLISHED and not GuardFinding.objects.exists()


def test_the_title_is_highlighted_too(client, member, category):
    client.force_login(member)
    response = client.post(new_topic_url(category), topic_form(client, category, title="SSN 212-34-5678 on an order?",
                                                               body=CLEAN_TEXT))
    assert response.status_code == 200
    page = soup(response)
    assert "in the title" in page.find(id="topic-guard-alert").text
    assert SSN in page.select_one("span.comity-guard-preview mark").text


def test_hold_mode_form_says_it_will_be_held(client, member, category, association):
    association.guard_mode = Association.GuardMode.HOLD
    association.save()
    client.force_login(member)
    response = client.post(new_topic_url(category), topic_form(client, category))
    page = soup(response)
    assert f"{association.name} holds posts" in page.find(id="topic-guard-alert").text
    assert page.find("input", attrs={"name": "guard_confirm"}) is None


# --- Reply and edit forms ------------------------------------------------------------------------------


def test_reply_form_shows_findings_then_publishes_when_confirmed(client, member, other_member, category):
    topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
    client.force_login(other_member)
    url = reverse("forum:reply", args=[topic.pk])
    data = {"submission_token": form_token(client, topic.get_absolute_url()), "body": PHONE_TEXT}
    response = client.post(url, data)
    assert response.status_code == 200 and topic.posts.count() == 1
    page = soup(response)
    assert page.find(id="reply-guard-alert")["role"] == "alert"
    assert page.find("textarea", attrs={"name": "body"}).text.strip() == PHONE_TEXT
    data.update(guard_seen=hidden(page, "guard_seen"), guard_confirm="on", guard_reason="A made-up number.",
                submission_token=hidden(page, "submission_token"))
    response = client.post(url, data)
    assert response.status_code == 302
    assert topic.posts.get(position=2).status == Visibility.PUBLISHED


def test_edit_form_shows_findings_then_holds(client, member, category):
    topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
    post = topic.posts.get()
    client.force_login(member)
    url = reverse("forum:edit_post", args=[post.pk])
    data = {"title": TITLE, "body": CLEAN_TEXT + "\n\n" + SSN_TEXT}
    response = client.post(url, data)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.body == CLEAN_TEXT and post.status == Visibility.PUBLISHED
    page = soup(response)
    assert "line 3" in page.find(id="edit-guard-alert").text
    data["guard_seen"] = hidden(page, "guard_seen")
    response = client.post(url, data, follow=True)
    post.refresh_from_db()
    assert post.status == Visibility.HELD
    assert "Your post is waiting for a moderator because it seems to contain a Social Security number" in response.content.decode()


# --- Held posts stay with the author and the moderators ------------------------------------------------


def test_held_posts_are_invisible_to_others(client, member, other_member, moderator, category):
    category.visibility = "public"
    category.save()
    held_topic = make_topic(member, category, title="Held topic with an SSN inside", body=SSN_TEXT)
    topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
    held_reply = make_reply(member, topic, body="Reply with " + SSN_TEXT)

    client.force_login(other_member)
    assert client.get(held_topic.get_absolute_url()).status_code == 404
    page = client.get(topic.get_absolute_url()).content.decode()
    assert SSN not in page and f"post-{held_reply.pk}" not in page
    listing = client.get(reverse("forum:category", args=[category.slug])).content.decode()
    assert "Held topic with an SSN inside" not in listing
    feed = client.get(reverse("forum:feed", args=["category", category.slug, "rss"])).content.decode()
    assert "Held topic" not in feed and SSN not in feed
    # Search builds no document for held posts (so the drain deletes any).
    documents = documents_for([f"topic:{held_topic.pk}", f"post:{held_reply.pk}", f"topic:{topic.pk}"])
    assert set(documents) == {f"topic:{topic.pk}"}
    assert SSN not in str(documents)

    client.force_login(member)  # the author sees their own
    assert SSN in client.get(held_topic.get_absolute_url()).content.decode()
    client.force_login(moderator)
    assert {post.pk for post in moderation_queue(moderator)} >= {held_topic.posts.get().pk, held_reply.pk}
    assert SSN in client.get(topic.get_absolute_url()).content.decode()


def test_held_posts_notify_nobody_and_push_nothing_live(
    member, other_member, moderator, category, django_capture_on_commit_callbacks, monkeypatch
):
    from notifications import live
    from notifications.models import Notification

    pushed = []
    monkeypatch.setattr(live, "push_topic_reply", lambda *args, **kwargs: pushed.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        topic = make_topic(member, category, title=TITLE, body=CLEAN_TEXT)
        services.follow(other_member, "topic", topic)
    with django_capture_on_commit_callbacks(execute=True):
        held = make_reply(member, topic, body=SSN_TEXT + " @" + other_member.username)
    assert held.status == Visibility.HELD
    assert not Notification.objects.filter(post=held).exists() and pushed == []
    # Approved by a moderator: now the followers hear of it.
    with django_capture_on_commit_callbacks(execute=True):
        approve_post(moderator, held)
    assert Notification.objects.filter(post=held, recipient=other_member).exists()
    assert len(pushed) == 1


def test_findings_are_counted_without_content_in_the_moderation_queue(member, moderator, category):
    make_topic(member, category, title=TITLE, body=SSN_TEXT)
    post = Post.objects.get()
    assert post in moderation_queue(moderator)
    assert_no_text_stored(SSN)
    assert re.fullmatch(r"Social Security number \(Held for a moderator\)", str(GuardFinding.objects.get()))


# --- Attachments survive the re-render ---------------------------------------------------------------------


def test_attachments_are_kept_across_the_guard_step(client, member, category):
    from django.core.files.storage import storages
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forum.models import Attachment

    def pending_files() -> set:
        try:
            return set(storages["private"].listdir("forum/pending")[1])
        except FileNotFoundError:
            return set()

    before = pending_files()
    client.force_login(member)
    data = topic_form(client, category)
    data["attachments"] = [
        SimpleUploadedFile("checklist.txt", b"Registration checklist\n", content_type="text/plain"),
        SimpleUploadedFile("notes.txt", b"Hearing notes\n", content_type="text/plain"),
    ]
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 200 and not Attachment.objects.exists()
    page = soup(response)
    legend = page.select_one(".comity-kept-files legend").text
    assert legend == "2 files kept: checklist.txt, notes.txt"
    remove = page.find("label", string=re.compile("Remove notes.txt")).find_previous("input")
    kept_paths = pending_files() - before
    assert len(kept_paths) == 2
    data.pop("attachments")
    data.update(guard_seen=hidden(page, "guard_seen"), guard_confirm="on", guard_reason="Made up.",
                submission_token=hidden(page, "submission_token"), remove_kept=[remove["value"]])
    response = client.post(new_topic_url(category), data)
    assert response.status_code == 302
    (attachment,) = Attachment.objects.all()
    assert attachment.original_name == "checklist.txt" and attachment.post.topic.status == Visibility.PUBLISHED
    assert attachment.file.read() == b"Registration checklist\n"
    assert not pending_files() & kept_paths


def test_kept_files_of_forms_never_sent_again_are_purged_after_a_day(tmp_path, monkeypatch):
    import io
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage
    from django.core.management import call_command

    from forum import pending_uploads

    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(pending_uploads, "_storage", lambda: storage)
    assert pending_uploads.purge_expired() == 0  # nothing kept yet: no folder at all
    old = storage.save(f"{pending_uploads.PREFIX}old", ContentFile(b"from a form left two days ago"))
    fresh = storage.save(f"{pending_uploads.PREFIX}fresh", ContentFile(b"from a form being filled in"))
    two_days_ago = time.time() - 2 * pending_uploads.KEEP_SECONDS
    os.utime(storage.path(old), (two_days_ago, two_days_ago))
    output = io.StringIO()
    call_command("purge_pending_uploads", stdout=output)
    assert output.getvalue().strip() == "Deleted 1 kept upload."
    assert not storage.exists(old) and storage.exists(fresh)
