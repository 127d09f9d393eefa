"""Profiles: the update_profile service, avatar checks, the edit form and the profile page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members import services
from members.models import Jurisdiction, Profile, Role
from tests.factories import (
    AssociationFactory,
    JurisdictionFactory,
    MembershipFactory,
    ProfileFactory,
    UserFactory,
)

EDIT_URL = reverse("members:edit_profile")
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(format="PNG", size=(64, 48), mode="RGB", exif=None) -> bytes:
    image = Image.new(mode, size, color=(200, 30, 30) if mode == "RGB" else None)
    output = io.BytesIO()
    params = {"exif": exif} if exif is not None else {}
    image.save(output, format=format, **params)
    return output.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0131] = "Secret editor"  # Software
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (38.0, 34.0, 24.0), 3: "W", 4: (92.0, 10.0, 24.0)})
    return image_bytes("JPEG", size=(1200, 900), exif=exif)


def upload(content: bytes, name="avatar.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_image(profile: Profile) -> Image.Image:
    profile.avatar.open("rb")
    try:
        image = Image.open(io.BytesIO(profile.avatar.read()))
        image.load()
        return image
    finally:
        profile.avatar.close()


def valid_post(**overrides) -> dict:
    data = {
        "display_name": "Dana Whitfield",
        "job_title": "Interstate caseworker",
        "agency": "Family Support Division",
        "jurisdiction": "",
        "bio": "UIFSA registrations and controlling-order determinations.",
        "listed_in_directory": "on",
        "show_agency": "on",
        "show_jurisdiction": "on",
        "work_email": "",
        "work_phone": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Service -----------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.django_db
class TestUpdateProfile:
    def test_saves_profile_and_display_name(self):
        user = UserFactory(display_name="Old name")
        missouri = JurisdictionFactory(code="MO", name="Missouri")
        profile = services.update_profile(
            user,
            display_name="  Dana Whitfield ",
            agency="Family Support Division",
            jurisdiction=missouri,
            job_title="Caseworker",
            bio="Hello",
            is_interstate_contact=True,
            work_email="dana@dss.mo.gov",
            work_phone="573-555-0142 ext. 12",
            case_types=["locate", "enforcement", "locate"],
        )
        user.refresh_from_db()
        profile.refresh_from_db()
        assert user.display_name == "Dana Whitfield"
        assert profile.jurisdiction == missouri
        assert profile.is_interstate_contact
        assert profile.case_types == ["enforcement", "locate"]  # in the list's order, once each

    def test_left_out_arguments_keep_their_value(self):
        profile = ProfileFactory(agency="Kept agency", show_agency=False)
        services.update_profile(profile.user, job_title="New title")
        profile.refresh_from_db()
        assert (profile.agency, profile.show_agency, profile.job_title) == ("Kept agency", False, "New title")

    def test_interstate_contact_needs_work_email_and_phone_and_nothing_is_saved(self):
        profile = ProfileFactory(job_title="Before")
        with pytest.raises(services.ProfileError) as raised:
            services.update_profile(profile.user, job_title="After", display_name="Changed", is_interstate_contact=True)
        assert set(raised.value.message_dict) == {"work_email", "work_phone"}
        profile.refresh_from_db()
        profile.user.refresh_from_db()
        assert profile.job_title == "Before"
        assert not profile.is_interstate_contact
        assert profile.user.display_name != "Changed"

    def test_inactive_jurisdiction_unknown_case_type_and_bad_phone_are_refused(self):
        user = UserFactory()
        closed = JurisdictionFactory(code="ZZ-OLD", name="Closed program", is_active=False)
        with pytest.raises(services.ProfileError) as raised:
            services.update_profile(user, jurisdiction=closed, case_types=["hacking"], work_phone="call me maybe")
        assert set(raised.value.message_dict) == {"jurisdiction", "case_types", "work_phone"}
        assert not Profile.objects.filter(user=user).exists()

    def test_bio_longer_than_1000_characters_is_refused(self):
        user = UserFactory()
        with pytest.raises(services.ProfileError) as raised:
            services.update_profile(user, bio="x" * 1001)
        assert "bio" in raised.value.message_dict

    def test_anonymous_user_cannot_have_a_profile_written(self):
        from django.contrib.auth.models import AnonymousUser
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.update_profile(AnonymousUser(), job_title="x")

    def test_new_avatar_is_stored_as_png_and_the_old_file_deleted_after_commit(self, django_capture_on_commit_callbacks):
        user = UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            first = services.update_profile(user, avatar=upload(image_bytes("PNG")))
        old_name = first.avatar.name
        assert old_name.startswith(f"avatars/{user.pk}/") and old_name.endswith(".png")
        storage = first.avatar.storage
        assert storage.exists(old_name)
        with django_capture_on_commit_callbacks(execute=True):
            second = services.update_profile(user, avatar=upload(image_bytes("GIF"), name="x.gif", content_type="image/gif"))
        assert second.avatar.name != old_name
        assert storage.exists(second.avatar.name)
        assert not storage.exists(old_name)
        with django_capture_on_commit_callbacks(execute=True):
            third = services.update_profile(user, remove_avatar=True)
        assert not third.avatar
        assert not storage.exists(second.avatar.name)


@pytest.mark.smoke
class TestPrepareAvatar:
    def test_png_is_accepted_and_re_encoded(self):
        avatar = services.prepare_avatar(upload(image_bytes("PNG", size=(800, 400))))
        image = Image.open(io.BytesIO(avatar.read()))
        assert image.format == "PNG"
        assert image.size == (512, 256)

    def test_jpeg_is_re_encoded_to_png_without_exif_or_gps(self):
        original = jpeg_with_gps()
        assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo has a location
        avatar = services.prepare_avatar(upload(original, name="holiday.jpg", content_type="image/jpeg"))
        data = avatar.read()
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG"
        assert max(image.size) == 512
        assert not image.getexif()
        assert "exif" not in image.info
        assert b"Secret editor" not in data and b"Camera maker" not in data

    def test_webp_with_transparency_keeps_it(self):
        avatar = services.prepare_avatar(upload(image_bytes("WEBP", mode="RGBA"), name="a.webp"))
        assert Image.open(io.BytesIO(avatar.read())).mode == "RGBA"

    @pytest.mark.parametrize(
        "content, name",
        [
            (b"name,agency\nDana,FSD\n", "x.png"),
            (b"%PDF-1.4 not a picture", "avatar.jpg"),
            (image_bytes("PNG")[:40], "truncated.png"),
        ],
    )
    def test_what_is_not_a_real_picture_is_refused_whatever_its_name(self, content, name):
        with pytest.raises(services.ProfileError) as raised:
            services.prepare_avatar(upload(content, name=name))
        assert "not a picture" in raised.value.message_dict["avatar"][0]
        assert "Choose the file again" in raised.value.message_dict["avatar"][0]

    def test_a_real_picture_in_a_format_we_do_not_take_is_refused(self):
        with pytest.raises(services.ProfileError):
            services.prepare_avatar(upload(image_bytes("BMP"), name="avatar.png"))

    def test_too_many_pixels_is_refused(self):
        with pytest.raises(services.ProfileError) as raised:
            services.prepare_avatar(upload(image_bytes("PNG", size=(4001, 10), mode="L")))
        assert "4001×10 pixels" in raised.value.message_dict["avatar"][0]

    def test_more_than_2_mb_is_refused(self):
        big = SimpleUploadedFile("big.png", image_bytes("PNG") + b"\0" * (2 * 1024 * 1024), content_type="image/png")
        with pytest.raises(services.ProfileError) as raised:
            services.prepare_avatar(big)
        assert "larger than 2 MB" in raised.value.message_dict["avatar"][0]


# --- Edit view ------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.django_db
class TestEditProfileView:
    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(EDIT_URL)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    def test_form_shows_current_values_and_grouped_jurisdictions(self, client):
        JurisdictionFactory(code="MO", name="Missouri")
        JurisdictionFactory(code="ZZ-TRIBE", name="Test Tribal Program", kind=Jurisdiction.Kind.TRIBE)
        profile = ProfileFactory(agency="Family Support Division", is_interstate_contact=True, work_email="a@b.gov", work_phone="5735550142")
        client.force_login(profile.user)
        response = client.get(EDIT_URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("<h1") == 1
        assert 'value="Family Support Division"' in html
        assert '<optgroup label="State">' in html and '<optgroup label="Tribal nation">' in html
        assert 'name="case_types"' in html
        assert 'enctype="multipart/form-data"' in html

    def test_saving_redirects_with_a_message(self, client):
        user = UserFactory()
        missouri = JurisdictionFactory(code="MO", name="Missouri")
        client.force_login(user)
        response = client.post(
            EDIT_URL,
            valid_post(
                jurisdiction=str(missouri.pk),
                is_interstate_contact="on",
                work_email="dana@dss.mo.gov",
                work_phone="573-555-0142",
                case_types=["locate", "tribal"],
                avatar=upload(jpeg_with_gps(), name="me.jpg", content_type="image/jpeg"),
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == EDIT_URL
        profile = Profile.objects.get(user=user)
        user.refresh_from_db()
        assert user.display_name == "Dana Whitfield"
        assert profile.jurisdiction == missouri
        assert profile.case_types == ["locate", "tribal"]
        assert profile.is_interstate_contact and profile.work_phone == "573-555-0142"
        stored = stored_image(profile)
        assert stored.format == "PNG" and not stored.getexif()
        follow = client.get(EDIT_URL)
        assert "Your profile is saved." in follow.content.decode()

    def test_unticked_checkboxes_turn_settings_off(self, client):
        profile = ProfileFactory(listed_in_directory=True, show_agency=True)
        client.force_login(profile.user)
        client.post(EDIT_URL, valid_post(listed_in_directory=None, show_agency=None))
        profile.refresh_from_db()
        assert not profile.listed_in_directory and not profile.show_agency and profile.show_jurisdiction

    def test_errors_keep_what_was_typed_and_save_nothing(self, client):
        profile = ProfileFactory(job_title="Before")
        client.force_login(profile.user)
        response = client.post(
            EDIT_URL,
            valid_post(
                job_title="Typed title",
                bio="Typed bio",
                is_interstate_contact="on",
                work_email="",
                work_phone="573-555-0142",
                case_types=["medical"],
                avatar=upload(image_bytes("PNG")),
            ),
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Your profile was not saved" in html
        assert "Enter a work email address" in html
        assert 'aria-invalid="true"' in html
        assert 'value="Typed title"' in html and "Typed bio</textarea>" in html
        assert 'value="573-555-0142"' in html
        assert 'value="medical"' in html and 'checked' in html
        # The file cannot be kept by the browser: the page says so.
        assert "Choose your new profile picture again" in html
        profile.refresh_from_db()
        assert profile.job_title == "Before" and not profile.avatar

    def test_a_tampered_jurisdiction_is_a_field_error(self, client):
        inactive = JurisdictionFactory(code="ZZ-GONE", name="Gone", is_active=False)
        user = UserFactory()
        client.force_login(user)
        for value in ("999999", "not-a-number", str(inactive.pk)):
            response = client.post(EDIT_URL, valid_post(jurisdiction=value))
            assert response.status_code == 200
            assert "Choose a jurisdiction from the list." in response.content.decode()
        assert not Profile.objects.filter(user=user).exists()

    def test_a_text_file_named_png_is_refused_with_a_clear_message(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(EDIT_URL, valid_post(avatar=upload(b"just some text", name="x.png")))
        html = response.content.decode()
        assert "That file is not a picture Comity can use" in html
        assert "Choose the file again" in html
        assert not Profile.objects.filter(user=user).exists()

    def test_a_user_edits_only_their_own_profile(self, client):
        other = ProfileFactory(job_title="Theirs")
        user = UserFactory()
        client.force_login(user)
        client.post(EDIT_URL, valid_post(job_title="Mine", user=str(other.user.pk), user_id=str(other.user.pk)))
        other.refresh_from_db()
        assert other.job_title == "Theirs"
        assert Profile.objects.get(user=user).job_title == "Mine"


# --- Profile page -----------------------------------------------------------------------------------


def profile_url(user) -> str:
    return reverse("members:profile_detail", args=[user.pk])


@pytest.fixture
def association(db):
    return AssociationFactory(name="Western Interstate Council", short_name="WIC")


@pytest.fixture
def person(association):
    membership = MembershipFactory(association=association)
    MembershipFactory(user=membership.user, association=AssociationFactory(name="Lapsed Association"), status="lapsed")
    membership.role_assignments.create(role=Role.MODERATOR)
    ProfileFactory(
        user=membership.user,
        agency="Secret Agency Name",
        show_agency=False,
        jurisdiction=JurisdictionFactory(code="MO", name="Missouri"),
        show_jurisdiction=True,
        job_title="Hearing officer",
        bio="Ask me about CEJ.",
    )
    return membership.user


@pytest.fixture
def active_member(association):
    return MembershipFactory(association=association).user


@pytest.mark.smoke
@pytest.mark.django_db
class TestProfileDetail:
    def test_anonymous_non_member_and_lapsed_member_get_404(self, client, person, association):
        assert client.get(profile_url(person)).status_code == 404
        client.force_login(UserFactory())
        assert client.get(profile_url(person)).status_code == 404
        client.force_login(MembershipFactory(association=association, status="lapsed").user)
        assert client.get(profile_url(person)).status_code == 404
        client.force_login(MembershipFactory(association=association, status="applied").user)
        assert client.get(profile_url(person)).status_code == 404

    def test_missing_person_and_hidden_person_look_the_same(self, client, person, active_member):
        client.force_login(active_member)
        missing = client.get(reverse("members:profile_detail", args=[999999]))
        Profile.objects.filter(user=person).update(listed_in_directory=False)
        hidden = client.get(profile_url(person))
        assert missing.status_code == hidden.status_code == 404

    def test_unlisted_member_is_visible_to_themselves_and_superusers(self, client, person):
        Profile.objects.filter(user=person).update(listed_in_directory=False)
        client.force_login(person)
        response = client.get(profile_url(person))
        assert response.status_code == 200
        assert "You are not listed in the members directory" in response.content.decode()
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        assert client.get(profile_url(person)).status_code == 200

    def test_a_member_whose_membership_lapsed_is_no_longer_shown(self, client, person, active_member):
        person.memberships.update(status="lapsed")
        client.force_login(active_member)
        assert client.get(profile_url(person)).status_code == 404

    def test_active_member_sees_what_is_shown_and_not_what_is_hidden(self, client, person, active_member):
        client.force_login(active_member)
        response = client.get(profile_url(person))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("<h1") == 1
        assert "Hearing officer" in html and "Missouri" in html and "Ask me about CEJ." in html
        assert "Secret Agency Name" not in html
        assert "Western Interstate Council: Member, Moderator" in html
        assert "Lapsed Association" not in html
        assert "Interstate contact card" not in html
        assert person.email not in html

    def test_hidden_jurisdiction_is_not_shown(self, client, person, active_member):
        Profile.objects.filter(user=person).update(show_jurisdiction=False, show_agency=True)
        client.force_login(active_member)
        html = client.get(profile_url(person)).content.decode()
        assert "Secret Agency Name" in html
        assert "Missouri" not in html.split("<main", 1)[1]

    def test_owner_sees_their_hidden_fields_marked_as_hidden(self, client, person):
        client.force_login(person)
        html = client.get(profile_url(person)).content.decode()
        assert "Secret Agency Name" in html and "(hidden from other members)" in html

    def test_interstate_card_appears_only_when_opted_in(self, client, person, active_member):
        Profile.objects.filter(user=person).update(
            is_interstate_contact=True, work_email="officer@courts.mo.gov", work_phone="573-555-0100", case_types=["courts"]
        )
        client.force_login(active_member)
        html = client.get(profile_url(person)).content.decode()
        assert "Interstate contact card" in html
        assert 'href="mailto:officer@courts.mo.gov"' in html
        assert "Courts and legal process" in html

    def test_member_who_never_saved_a_profile_has_a_page(self, client, active_member, association):
        newcomer = MembershipFactory(association=association).user
        client.force_login(active_member)
        response = client.get(profile_url(newcomer))
        assert response.status_code == 200
        assert newcomer.display_name in response.content.decode()
