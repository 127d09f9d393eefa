"""The page for uploading a new version of a shared procedure's document: who may use it
(the procedure's author and the category's moderators; 403 for other readers, 404 for
those who cannot see the topic and for topics that are not procedures), the link on the
topic page, a refused file (a clear error, the current document unchanged, nothing
stored) and a double submit."""

import os

import pytest
from django.urls import reverse

from forum.attachments import attach_files, current_document, earlier_versions
from forum.models import Attachment, Category
from members.models import Role
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_topic
from tests.forum.test_attachments import WINDOWS_PROGRAM, docx_bytes, pdf_bytes, upload
from tests.pages import soup

pytestmark = [pytest.mark.django_db, pytest.mark.smoke, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def association():
    return association_with_groups()


@pytest.fixture
def author(association):
    return member_of(association, user=UserFactory(display_name="Dana Author"))


@pytest.fixture
def category(association):
    return CategoryFactory(association=association, visibility=Category.Visibility.MEMBERS)


@pytest.fixture
def procedure(author, category):
    topic = make_topic(author, category, kind="procedure", title="Registering an order for enforcement only: our steps")
    attach_files(topic.posts.get(position=1), [upload("Steps v1.pdf", pdf_bytes("v1"))], by=author)
    return topic


def version_url(topic) -> str:
    return reverse("forum:procedure_version", args=[topic.pk])


def token(client, topic) -> str:
    response = client.get(version_url(topic))
    assert response.status_code == 200
    return soup(response).find("input", attrs={"name": "submission_token"})["value"]


def send(client, topic, file=None, submission_token=None):
    data = {"submission_token": submission_token or token(client, topic)}
    if file is not None:
        data["document"] = file
    return client.post(version_url(topic), data)


def stored_files(storage) -> list[str]:
    return [os.path.join(folder, name) for folder, _, names in os.walk(storage.location) for name in names]


def test_the_topic_page_links_the_author_and_moderators_to_the_upload_page(client, association, author, procedure):
    link = {"href": version_url(procedure)}
    client.force_login(author)
    page = soup(client.get(procedure.get_absolute_url()))
    document = page.find("section", class_="comity-attachments--procedure")
    assert document.find("a", attrs=link).get_text(" ", strip=True) == "Upload a new version of Steps v1.pdf"

    client.force_login(member_of(association, Role.MODERATOR))
    assert soup(client.get(procedure.get_absolute_url())).find("a", attrs=link)

    client.force_login(member_of(association))
    page = soup(client.get(procedure.get_absolute_url()))
    assert page.find("section", class_="comity-attachments--procedure") and not page.find("a", attrs=link)


def test_the_upload_page_shows_the_current_version_and_a_labelled_file_input(client, author, procedure):
    client.force_login(author)
    page = soup(client.get(version_url(procedure)))
    assert page.h1.get_text(strip=True) == "Upload a new version of the procedure document"
    assert "Steps v1.pdf" in page.find(class_="usa-intro").get_text()
    file_input = page.find("input", attrs={"type": "file", "name": "document"})
    assert page.find("label", attrs={"for": file_input["id"]}).get_text(" ", strip=True).startswith("New version of the document")
    assert ".pdf" in file_input["accept"] and f'{file_input["id"]}_helptext' in file_input["aria-describedby"]
    assert page.find("main").find("form")["enctype"] == "multipart/form-data"


def test_uploading_a_new_version_makes_it_current_and_keeps_the_earlier_one(client, author, procedure):
    first = current_document(procedure)
    client.force_login(author)
    response = send(client, procedure, upload("Steps v2.docx", docx_bytes()))
    opening = procedure.posts.get(position=1)
    assert response.status_code == 302
    assert response["Location"] == f"{procedure.get_absolute_url()}#post-{opening.pk}"
    newest = current_document(procedure)
    assert newest.original_name == "Steps v2.docx" and newest.supersedes == first
    assert earlier_versions(procedure) == [first]

    page = client.get(response["Location"])
    assert "“Steps v2.docx” is now the current version of the procedure document." in page.content.decode()
    document = soup(page).find("section", class_="comity-attachments--procedure")
    current_part, earlier_part = document.get_text(" ", strip=True).split("Earlier versions")
    assert "Steps v2.docx" in current_part and "by Dana Author" in current_part
    assert "Steps v1.pdf" in earlier_part


def test_a_moderator_of_the_category_may_upload_a_new_version(client, association, procedure):
    client.force_login(member_of(association, Role.MODERATOR))
    assert send(client, procedure, upload("Steps v2.pdf", pdf_bytes("v2"))).status_code == 302
    assert current_document(procedure).original_name == "Steps v2.pdf"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Steps v2.pdf", WINDOWS_PROGRAM, "“Steps v2.pdf” cannot be attached: it is a Windows program."),
        ("Steps v2.exe", pdf_bytes(), "“Steps v2.exe” cannot be attached: Comity accepts PDF"),
        ("Steps v2.docx", pdf_bytes(), "“Steps v2.docx” is really a PDF document"),
    ],
)
def test_a_refused_file_is_a_clear_error_and_the_current_version_stays(
    client, author, procedure, private_storage, name, content, message
):
    before = stored_files(private_storage)
    client.force_login(author)
    response = send(client, procedure, upload(name, content))
    assert response.status_code == 400
    page = soup(response)
    assert page.title.get_text().startswith("Error:")
    error = page.find(id="id_document_error").get_text()
    assert message in error and "Choose the file again" in error
    assert "The current version is unchanged." in page.find(role="alert").get_text()
    assert page.find("input", attrs={"name": "document"})["aria-invalid"] == "true"
    assert current_document(procedure).original_name == "Steps v1.pdf"
    assert Attachment.objects.count() == 1 and stored_files(private_storage) == before


def test_sending_no_file_or_an_oversized_one_says_what_to_do(client, settings, author, procedure):
    client.force_login(author)
    response = send(client, procedure)
    assert response.status_code == 400
    assert "Choose the file with the new version of the procedure." in soup(response).find(id="id_document_error").get_text()
    settings.FORUM_ATTACHMENT_MAX_BYTES = 100
    response = send(client, procedure, upload("Steps v2.pdf", pdf_bytes()))
    assert response.status_code == 400 and "is too large" in soup(response).find(id="id_document_error").get_text()
    assert Attachment.objects.count() == 1


def test_a_double_submit_uploads_one_version(client, author, procedure):
    client.force_login(author)
    submission_token = token(client, procedure)
    first = send(client, procedure, upload("Steps v2.pdf", pdf_bytes("v2")), submission_token)
    again = send(client, procedure, upload("Steps v2.pdf", pdf_bytes("v2")), submission_token)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Attachment.objects.count() == 2


def test_who_may_open_the_upload_page(client, association, author, procedure, category):
    outcomes = {}
    people = {
        "visitor": None,
        "signed-in non-member": UserFactory(),
        "another member": member_of(association),
        "member of another association": member_of(association_with_groups()),
        "moderator of another association": member_of(association_with_groups(), Role.MODERATOR),
        "author": author,
        "moderator": member_of(association, Role.MODERATOR),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    for name, person in people.items():
        client.logout()
        if person is not None:
            client.force_login(person)
        outcomes[name] = (client.get(version_url(procedure)).status_code, send_status(client, procedure))
    assert outcomes == {
        "visitor": (302, 302),  # to sign in
        "signed-in non-member": (404, 404),
        "another member": (403, 403),
        "member of another association": (404, 404),
        "moderator of another association": (404, 404),
        "author": (200, 302),
        "moderator": (200, 302),
        "superuser": (200, 302),
    }
    assert Attachment.objects.count() == 4


def send_status(client, topic) -> int:
    response = client.post(version_url(topic), {"document": upload("Steps.pdf", pdf_bytes())})
    if response.status_code == 400:  # no valid token: ask for the page as a browser would
        return send(client, topic, upload("Steps.pdf", pdf_bytes())).status_code
    return response.status_code


def test_only_procedures_have_an_upload_page(client, author, category):
    question = make_topic(author, category, kind="question")
    client.force_login(author)
    assert client.get(version_url(question)).status_code == 404
    assert client.get(reverse("forum:procedure_version", args=[999_999])).status_code == 404


def test_a_procedure_without_a_document_offers_to_add_one(client, author, category):
    topic = make_topic(author, category, kind="procedure", title="Sending an e-IWO to an out-of-state employer")
    client.force_login(author)
    page = soup(client.get(topic.get_absolute_url()))
    assert page.find("a", attrs={"href": version_url(topic)}).get_text(strip=True) == "Add the procedure document"
    page = soup(client.get(version_url(topic)))
    assert page.h1.get_text(strip=True) == "Add the procedure document"
    assert send(client, topic, upload("e-IWO steps.pdf", pdf_bytes())).status_code == 302
    assert current_document(topic).original_name == "e-IWO steps.pdf" and current_document(topic).supersedes is None
