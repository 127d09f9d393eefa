"""Quarantined attachments: a file whose extracted text holds what looks like case data opens
only for its uploader and the category's moderators; the topic page shows others a notice;
the moderators' queue shows the findings (kind, confidence, why, and the text around them,
to moderators only); clearing and removing are audited and tell the uploader."""

import pytest
from django.urls import reverse

from forum import moderation
from forum.attachments import attach_files, visible_attachment
from forum.models import Attachment, Category, GuardFinding, ModerationAction
from forum.tasks import run_extraction
from members.models import Role
from notifications.models import Kind, Notification
from search.sources import documents_for
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum import document_files as files
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.smoke, pytest.mark.usefixtures("private_storage")]

SSN_DIGITS = "805-92-0373"
WAITING = "An attachment is waiting for a moderator’s review."


@pytest.fixture
def world():
    association = association_with_groups()
    other_association = association_with_groups()
    people = {
        "uploader": member_of(association),
        "moderator": member_of(association, Role.MODERATOR),
        "member": member_of(association),
        "other_moderator": member_of(other_association, Role.MODERATOR),
    }
    category = CategoryFactory(association=association, visibility=Category.Visibility.PUBLIC)
    topic = make_topic(people["member"], category, title="Registering an order for enforcement only")
    reply = make_reply(people["uploader"], topic, body="Our intake form is attached.")
    (attachment,) = attach_files(
        reply, [files.upload("intake form.pdf", files.pdf(["Intake form, filled in", files.CASE_DATA]))],
        by=people["uploader"],
    )
    assert run_extraction(attachment.pk) == "done"
    attachment.refresh_from_db()
    return {"association": association, "category": category, "topic": topic, "reply": reply,
            "attachment": attachment, **people}


def download(client, user, attachment):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.get(reverse("forum:attachment", args=[attachment.pk]))


def test_case_data_in_an_attachment_quarantines_it_with_findings_but_never_the_text(world):
    attachment = world["attachment"]
    assert attachment.review_status == "quarantined"
    findings = list(GuardFinding.objects.filter(attachment=attachment).order_by("start"))
    assert [finding.kind for finding in findings] == ["ssn", "case_number"]
    ssn = findings[0]
    assert ssn.outcome == "quarantined" and ssn.high_risk and ssn.confidence >= 0.8
    assert ssn.association_id == world["association"].pk and ssn.post_id is None
    assert attachment.extracted_text[ssn.start:ssn.end] == SSN_DIGITS
    for finding in findings:
        assert SSN_DIGITS not in f"{finding.reason}{finding}"


def test_a_clean_attachment_is_not_quarantined(world):
    (clean,) = attach_files(world["reply"], [files.upload("fees.txt", b"Registration fees by state")], by=world["uploader"])
    run_extraction(clean.pk)
    clean.refresh_from_db()
    assert clean.review_status == "none" and not clean.guard_findings.exists()


@pytest.mark.parametrize(("who", "status"), [
    ("uploader", 200), ("moderator", 200), ("member", 404), ("other_moderator", 404), ("anonymous", 404),
])
def test_only_the_uploader_and_the_categorys_moderators_can_open_a_quarantined_file(client, world, who, status):
    user = None if who == "anonymous" else world[who]
    assert download(client, user, world["attachment"]).status_code == status


def test_the_topic_page_shows_others_a_notice_instead_of_the_file(client, world):
    url = world["topic"].get_absolute_url()
    for user in (None, world["member"]):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        html = client.get(url).content.decode()
        assert WAITING in html
        assert "intake form.pdf" not in html and reverse("forum:attachment", args=[world["attachment"].pk]) not in html
    for user in (world["uploader"], world["moderator"]):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "intake form.pdf" in html and "Waiting for review" in html and WAITING not in html
        assert SSN_DIGITS not in html


def test_a_quarantined_files_text_is_not_in_search_documents(world):
    document = documents_for([f"post:{world['reply'].pk}"])[f"post:{world['reply'].pk}"]
    assert "Intake form" not in document["body"] and SSN_DIGITS not in document["body"]


def test_the_moderators_queue_shows_the_findings_with_their_context(client, world):
    client.force_login(world["moderator"])
    html = client.get(reverse("forum:moderation_queue")).content.decode()
    assert "Quarantined attachments" in html and "intake form.pdf" in html
    assert "Social Security number" in html and "High risk" in html and "97% confidence" in html
    assert "Case, docket or cause number" in html
    assert "federal and state law protect it" in html  # the explanation
    assert f"<mark>{SSN_DIGITS}</mark>" in html  # moderators may see the span, escaped
    assert reverse("forum:review_attachment", args=[world["attachment"].pk]) in html

    client.force_login(world["other_moderator"])
    assert "intake form.pdf" not in client.get(reverse("forum:moderation_queue")).content.decode()
    client.force_login(world["member"])
    assert client.get(reverse("forum:moderation_queue")).status_code == 403


def test_the_context_shown_to_moderators_is_escaped(world, client):
    (hostile,) = attach_files(
        world["reply"], [files.upload("x.txt", b"<script>alert(1)</script> The obligor's SSN is 805-92-0373.")],
        by=world["uploader"],
    )
    run_extraction(hostile.pk)
    client.force_login(world["moderator"])
    html = client.get(reverse("forum:moderation_queue")).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_clearing_releases_the_file_audits_and_tells_the_uploader(client, world, django_capture_on_commit_callbacks):
    attachment = world["attachment"]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.clear_attachment(world["moderator"], attachment, "A training sample, not a real case.")
    attachment.refresh_from_db()
    assert attachment.review_status == "cleared" and attachment.reviewed_by == world["moderator"]
    assert set(attachment.guard_findings.values_list("outcome", flat=True)) == {"cleared"}
    action = ModerationAction.objects.get(action=moderation.ATTACHMENT_CLEARED)
    assert action.subject_user == world["uploader"] and action.details["attachment_id"] == attachment.pk
    notice = Notification.objects.get(recipient=world["uploader"], kind=Kind.MODERATION)
    assert "cleared your file “intake form.pdf”" in notice.title and "training sample" in notice.summary
    assert SSN_DIGITS not in notice.title + notice.summary
    assert download(client, world["member"], attachment).status_code == 200
    assert download(client, None, attachment).status_code == 200
    # Its text now reaches search with the post.
    document = documents_for([f"post:{world['reply'].pk}"])[f"post:{world['reply'].pk}"]
    assert "Intake form, filled in" in document["body"]


def test_removing_deletes_the_file_and_its_text(client, world, private_storage, django_capture_on_commit_callbacks):
    attachment = world["attachment"]
    stored_name = attachment.file.name
    assert private_storage.exists(stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.remove_attachment(world["moderator"], attachment, "Holds a real Social Security number.")
    attachment.refresh_from_db()
    assert attachment.review_status == "removed" and attachment.extracted_text == "" and not attachment.file
    assert not private_storage.exists(stored_name)
    assert set(attachment.guard_findings.values_list("outcome", flat=True)) == {"removed"}
    assert ModerationAction.objects.filter(action=moderation.ATTACHMENT_REMOVED, post=world["reply"]).exists()
    notice = Notification.objects.get(recipient=world["uploader"], kind=Kind.MODERATION)
    assert "removed your file" in notice.title
    for user in (world["uploader"], world["moderator"], world["member"], None):
        assert download(client, user, attachment).status_code == 404
    client.force_login(world["member"])
    html = client.get(world["topic"].get_absolute_url()).content.decode()
    assert "A file was removed by a moderator." in html and "Our intake form is attached." in html


def test_review_rules(world):
    attachment = world["attachment"]
    with pytest.raises(moderation.PermissionDenied):
        moderation.clear_attachment(world["member"], attachment)
    with pytest.raises(moderation.PermissionDenied):
        moderation.clear_attachment(world["other_moderator"], attachment)
    with pytest.raises(moderation.ModerationError):
        moderation.remove_attachment(world["moderator"], attachment, "   ")  # a removal needs a reason
    moderation.clear_attachment(world["moderator"], attachment)
    with pytest.raises(moderation.ModerationError):
        moderation.remove_attachment(world["moderator"], attachment, "Changed my mind")  # no longer waiting
    assert ModerationAction.objects.get().reason == "Cleared after review: no real case data."


def test_the_review_page_clears_and_removes(client, world):
    attachment = world["attachment"]
    url = reverse("forum:review_attachment", args=[attachment.pk])
    client.force_login(world["member"])
    assert client.post(url, {"action": "clear"}).status_code == 403
    client.force_login(world["moderator"])
    page = client.get(url)
    assert page.status_code == 200 and "Social Security number" in page.content.decode()
    refused = client.post(url, {"action": "remove", "reason": ""})
    assert refused.status_code == 400 and "Give a reason" in refused.content.decode()
    done = client.post(url, {"action": "remove", "reason": "Real case data.", "next": reverse("forum:moderation_queue")})
    assert done.status_code == 302 and done["Location"] == reverse("forum:moderation_queue")
    attachment.refresh_from_db()
    assert attachment.review_status == "removed"
    log = client.get(reverse("forum:moderation_log")).content.decode()
    assert "Removed a quarantined attachment (“intake form.pdf”)" in log


def test_visible_attachment_is_the_one_check(world):
    attachment = world["attachment"]
    assert visible_attachment(world["uploader"], attachment.pk) == attachment
    assert visible_attachment(world["moderator"], attachment.pk) == attachment
    with pytest.raises(Attachment.DoesNotExist):
        visible_attachment(world["member"], attachment.pk)
    with pytest.raises(Attachment.DoesNotExist):
        visible_attachment(UserFactory(), attachment.pk)


@pytest.mark.parametrize(("who", "status"), [
    ("uploader", 200), ("moderator", 200), ("member", 404), ("other_moderator", 404), ("anonymous", 404),
])
def test_a_file_not_yet_checked_opens_only_for_its_uploader_and_moderators(client, world, who, status):
    (pending,) = attach_files(world["reply"], [files.upload("fees.txt", b"Registration fees by state")],
                              by=world["uploader"])
    assert pending.extraction_status == "pending"
    user = None if who == "anonymous" else world[who]
    assert download(client, user, pending).status_code == status
    run_extraction(pending.pk)
    assert download(client, user, pending).status_code == 200  # checked and clean: for everyone who sees the post


def test_the_topic_page_says_a_file_is_being_checked(client, world):
    attach_files(world["reply"], [files.upload("fees.txt", b"Registration fees by state")], by=world["uploader"])
    client.force_login(world["member"])
    html = client.get(world["topic"].get_absolute_url()).content.decode()
    assert "being checked for confidential data" in html and "fees.txt" not in html
    client.force_login(world["uploader"])
    html = client.get(world["topic"].get_absolute_url()).content.decode()
    assert "fees.txt" in html and "Being checked" in html
