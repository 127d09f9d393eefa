"""The members directory: who may open it, who is listed, filters and search that never
reveal hidden fields, pagination and a constant number of queries per page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Profile, Role
from members.selectors import DIRECTORY_PAGE_SIZE, directory_members
from tests.factories import (
    AssociationFactory,
    JurisdictionFactory,
    MembershipFactory,
    ProfileFactory,
    UserFactory,
    member_of,
)

DIRECTORY_URL = reverse("members:directory")


@pytest.fixture
def west(db):
    return AssociationFactory(name="Western Interstate Council", short_name="WIC", slug="west")


@pytest.fixture
def missouri_association(db):
    return AssociationFactory(name="Missouri Association", short_name="MA", slug="missouri-assoc")


@pytest.fixture
def missouri(db):
    return JurisdictionFactory(code="MO", name="Missouri")


@pytest.fixture
def kansas(db):
    return JurisdictionFactory(code="KS", name="Kansas")


def listed_member(association, *, status="active", roles=(), display_name=None, **profile_fields):
    user = UserFactory(**({"display_name": display_name} if display_name is not None else {}))
    membership = MembershipFactory(user=user, association=association, status=status)
    for role in roles:
        membership.role_assignments.create(role=role)
    if profile_fields:
        ProfileFactory(user=membership.user, **profile_fields)
    return membership.user


@pytest.fixture
def viewer(west):
    return MembershipFactory(association=west).user


def names(users) -> set[str]:
    return {user.display_name for user in users}


# --- Selector ---------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.django_db
class TestDirectoryMembers:
    def test_only_listed_active_members_appear(self, west, viewer):
        listed = listed_member(west, display_name="Listed")
        no_profile_yet = listed_member(west)  # never saved a profile: the defaults list them
        listed_member(west, status="lapsed", display_name="Lapsed")
        listed_member(west, status="applied", display_name="Applied")
        listed_member(west, status="rejected", display_name="Rejected")
        listed_member(west, listed_in_directory=False, display_name="Unlisted")
        UserFactory(display_name="Never applied")
        deactivated = listed_member(west, display_name="Deactivated account")
        deactivated.is_active = False
        deactivated.save()
        found = list(directory_members(viewer))
        assert set(found) == {viewer, listed, no_profile_yet}

    def test_someone_with_one_lapsed_and_one_active_membership_is_listed_once(self, west, missouri_association, viewer):
        user = listed_member(west, status="lapsed")
        MembershipFactory(user=user, association=missouri_association)
        found = list(directory_members(viewer))
        assert found.count(user) == 1

    @pytest.mark.parametrize("kind", ["anonymous", "non-member", "lapsed", "applied"])
    def test_who_may_not_see_the_directory_gets_nobody(self, west, kind):
        from django.contrib.auth.models import AnonymousUser

        listed_member(west)
        viewers = {
            "anonymous": lambda: AnonymousUser(),
            "non-member": lambda: UserFactory(),
            "lapsed": lambda: MembershipFactory(association=west, status="lapsed").user,
            "applied": lambda: MembershipFactory(association=west, status="applied").user,
        }
        assert list(directory_members(viewers[kind]())) == []

    def test_superuser_sees_the_directory(self, west):
        member = listed_member(west)
        assert list(directory_members(UserFactory(is_superuser=True))) == [member]

    def test_association_filter(self, west, missouri_association, viewer):
        in_missouri = listed_member(missouri_association)
        lapsed_in_missouri = listed_member(west)
        MembershipFactory(user=lapsed_in_missouri, association=missouri_association, status="lapsed")
        assert list(directory_members(viewer, association="missouri-assoc")) == [in_missouri]
        assert list(directory_members(viewer, association=missouri_association)) == [in_missouri]
        assert list(directory_members(viewer, association="nowhere")) == []

    def test_jurisdiction_filter_never_reveals_a_hidden_jurisdiction(self, west, viewer, missouri, kansas):
        shown = listed_member(west, jurisdiction=missouri, show_jurisdiction=True)
        listed_member(west, jurisdiction=missouri, show_jurisdiction=False)
        listed_member(west, jurisdiction=kansas)
        assert list(directory_members(viewer, jurisdiction="MO")) == [shown]
        assert list(directory_members(viewer, jurisdiction=missouri)) == [shown]

    def test_role_filter(self, west, missouri_association, viewer):
        west_moderator = listed_member(west, roles=[Role.MODERATOR])
        missouri_moderator = listed_member(missouri_association, roles=[Role.MODERATOR])
        board = listed_member(west, roles=[Role.BOARD])
        lapsed_moderator = listed_member(west, status="lapsed", roles=[Role.MODERATOR])
        MembershipFactory(user=lapsed_moderator, association=missouri_association)  # active elsewhere, no role

        assert set(directory_members(viewer, role=Role.MODERATOR)) == {west_moderator, missouri_moderator}
        assert list(directory_members(viewer, role=Role.MODERATOR, association=west)) == [west_moderator]
        assert list(directory_members(viewer, role=Role.BOARD)) == [board]
        assert set(directory_members(viewer, role=Role.MEMBER, association="missouri-assoc")) == {
            missouri_moderator,
            lapsed_moderator,
        }
        with pytest.raises(ValueError):
            directory_members(viewer, role="dictator")

    def test_interstate_only(self, west, viewer):
        contact = listed_member(west, is_interstate_contact=True, work_email="a@b.gov", work_phone="5735550100")
        listed_member(west, is_interstate_contact=False)
        assert list(directory_members(viewer, interstate_only=True)) == [contact]

    def test_search_matches_names_and_shown_agency_only(self, west, viewer):
        dana = listed_member(west, display_name="Dana Whitfield", agency="Family Support Division")
        first_last = MembershipFactory(association=west, user=UserFactory(display_name="", first_name="Rosa", last_name="Kessler")).user
        listed_member(west, display_name="Hidden Agency Person", agency="Secret Tribal Court", show_agency=False)
        agency_shown = listed_member(west, display_name="Shown Agency Person", agency="Secret Tribal Court")

        assert list(directory_members(viewer, query="whitfield")) == [dana]
        assert list(directory_members(viewer, query="rosa KESS")) == [first_last]
        assert list(directory_members(viewer, query="family support")) == [dana]
        assert list(directory_members(viewer, query="Secret Tribal")) == [agency_shown]
        assert list(directory_members(viewer, query=viewer.email)) == []  # email is never searched
        assert list(directory_members(viewer, query="dana nobody")) == []

    def test_filters_combine(self, west, missouri_association, viewer, missouri):
        wanted = listed_member(
            missouri_association,
            roles=[Role.BOARD],
            display_name="Wanted Person",
            jurisdiction=missouri,
            is_interstate_contact=True,
            work_email="w@mo.gov",
            work_phone="5735550100",
        )
        listed_member(missouri_association, roles=[Role.BOARD], display_name="Wanted Twin", jurisdiction=missouri)
        found = directory_members(
            viewer, association="missouri-assoc", jurisdiction="MO", role="board", interstate_only=True, query="wanted"
        )
        assert list(found) == [wanted]

    def test_ordered_by_name(self, west, viewer):
        Profile.objects.filter(user=viewer).delete()
        viewer.display_name = "Mary Middle"
        viewer.save()
        listed_member(west, display_name="zoe Last")
        MembershipFactory(association=west, user=UserFactory(display_name="", first_name="Abe", last_name="First"))
        assert [str(user) for user in directory_members(viewer)] == ["Abe First", "Mary Middle", "zoe Last"]


# --- View ---------------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.django_db
class TestDirectoryAccess:
    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(DIRECTORY_URL + "?q=x")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "next=/members/directory/%3Fq%3Dx" in response["Location"]

    @pytest.mark.parametrize("status", [None, "applied", "lapsed", "rejected"])
    def test_signed_in_non_member_gets_403_with_a_way_to_apply(self, client, west, missouri_association, status):
        user = UserFactory()
        if status:
            MembershipFactory(user=user, association=west, status=status)
        listed_member(west, display_name="Somebody Listed")
        client.force_login(user)
        response = client.get(DIRECTORY_URL)
        html = response.content.decode()
        assert response.status_code == 403
        assert "You need an active membership" in html
        assert reverse("members:apply", args=["west"]) in html
        assert reverse("members:apply", args=["missouri-assoc"]) in html
        assert "Somebody Listed" not in html

    def test_membership_lapsed_through_the_services_closes_the_directory(self, client, west):
        user = member_of(west, status="lapsed")
        client.force_login(user)
        assert client.get(DIRECTORY_URL).status_code == 403

    def test_active_member_and_superuser_see_the_directory(self, client, west, viewer):
        listed_member(west, display_name="Somebody Listed")
        client.force_login(viewer)
        response = client.get(DIRECTORY_URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("<h1") == 1
        assert "Somebody Listed" in html
        assert 'role="search"' in html and 'aria-label="Filter the members directory"' in html
        assert 'aria-live="polite"' in html
        assert "2 members found" in html
        assert '<caption>Members</caption>' in html and '<th scope="col">Name</th>' in html
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        assert client.get(DIRECTORY_URL).status_code == 200

    def test_member_approved_through_the_services_sees_the_directory(self, client, west):
        client.force_login(member_of(west))
        assert client.get(DIRECTORY_URL).status_code == 200


@pytest.mark.smoke
@pytest.mark.django_db
class TestDirectoryPage:
    def test_hidden_fields_never_appear(self, client, west, viewer, missouri):
        listed_member(
            west,
            display_name="Private Person",
            agency="Hidden Agency Name",
            show_agency=False,
            jurisdiction=missouri,
            show_jurisdiction=False,
        )
        client.force_login(viewer)
        html = client.get(DIRECTORY_URL).content.decode()
        assert "Private Person" in html
        assert "Hidden Agency Name" not in html
        table = html.split("<table", 1)[1]
        assert "Missouri" not in table
        # Nor can a search or a filter find them by what they hid.
        assert "Private Person" not in client.get(DIRECTORY_URL, {"q": "Hidden Agency"}).content.decode()
        assert "Private Person" not in client.get(DIRECTORY_URL, {"jurisdiction": "MO"}).content.decode()

    def test_filters_from_the_form(self, client, west, viewer, missouri, kansas):
        listed_member(west, display_name="Missouri Person", jurisdiction=missouri)
        listed_member(west, display_name="Kansas Person", jurisdiction=kansas, is_interstate_contact=True, work_email="k@ks.gov", work_phone="7855550100")
        client.force_login(viewer)
        html = client.get(DIRECTORY_URL, {"jurisdiction": "MO"}).content.decode()
        assert "Missouri Person" in html and "Kansas Person" not in html
        assert "1 member found" in html
        assert '<option value="MO" selected>' in html
        assert "Clear filters" in html
        html = client.get(DIRECTORY_URL, {"interstate": "on"}).content.decode()
        assert "Kansas Person" in html and "Missouri Person" not in html
        assert "Interstate contact</span>" in html

    def test_invalid_filter_values_are_reported_not_crashing(self, client, west, viewer):
        listed_member(west, display_name="Still Listed")
        client.force_login(viewer)
        response = client.get(DIRECTORY_URL, {"role": "dictator", "association": "nowhere", "jurisdiction": "XX", "page": "abc"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "That role is not in the list" in html
        assert "That association is not in the list" in html
        assert "Still Listed" in html

    def test_associations_and_roles_are_shown_for_active_memberships(self, client, west, missouri_association, viewer):
        user = listed_member(west, roles=[Role.BOARD], display_name="Board Person")
        MembershipFactory(user=user, association=missouri_association, status="lapsed")
        client.force_login(viewer)
        html = client.get(DIRECTORY_URL, {"q": "Board Person"}).content.decode()
        row = html.split("<tbody>", 1)[1]
        assert '>WIC</abbr> (Board of directors)' in row
        assert "Missouri Association" not in row

    def test_paginated_25_per_page_with_an_accessible_nav(self, client, west, viewer):
        for number in range(DIRECTORY_PAGE_SIZE + 5):
            listed_member(west, display_name=f"Person {number:02d}")
        client.force_login(viewer)
        first = client.get(DIRECTORY_URL, {"q": "Person"}).content.decode()
        assert first.count('data-label="Name"') == DIRECTORY_PAGE_SIZE
        assert "30 members found; showing 1–25" in first
        assert '<nav aria-label="Pagination" class="usa-pagination">' in first
        assert 'aria-current="page"' in first
        assert 'href="?q=Person&amp;page=2"' in first
        second = client.get(DIRECTORY_URL, {"q": "Person", "page": 2}).content.decode()
        assert second.count('data-label="Name"') == 5
        assert "Person 29" in second and "Person 00" not in second
        assert "Previous page" in second


@pytest.mark.smoke
@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_page(client, west, missouri_association, viewer, missouri, django_assert_max_num_queries):
    def add_members(count):
        for number in range(count):
            user = listed_member(west, roles=[Role.MODERATOR], jurisdiction=missouri, display_name=f"Member {number}")
            MembershipFactory(user=user, association=missouri_association).role_assignments.create(role=Role.BOARD)

    client.force_login(viewer)
    add_members(2)
    client.get(DIRECTORY_URL)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as few:
        assert client.get(DIRECTORY_URL).status_code == 200
    add_members(DIRECTORY_PAGE_SIZE)
    with CaptureQueriesContext(connection) as full_page:
        response = client.get(DIRECTORY_URL)
    assert response.content.decode().count('data-label="Name"') == DIRECTORY_PAGE_SIZE
    assert len(full_page) == len(few), "\n".join(query["sql"] for query in full_page.captured_queries)
    with django_assert_max_num_queries(len(few)):
        client.get(DIRECTORY_URL, {"role": "board", "association": "missouri-assoc", "jurisdiction": "MO", "q": "Member"})


@pytest.mark.smoke
@pytest.mark.django_db
def test_profile_pages_query_count_does_not_grow_with_memberships(client, viewer, django_assert_max_num_queries):
    person = MembershipFactory(association=AssociationFactory()).user
    client.force_login(viewer)
    url = reverse("members:profile_detail", args=[person.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        MembershipFactory(user=person, association=AssociationFactory()).role_assignments.create(role=Role.EDITOR)
    with django_assert_max_num_queries(len(one)):
        assert client.get(url).status_code == 200

