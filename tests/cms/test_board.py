"""Board of directors: seat rules an association defines, checked on the page and in the
Wagtail admin (clear errors, what was typed kept), and the public roster."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import BoardDirector, BoardPage
from tests.cms.factories import director, valid_western_roster

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def messages_for(composition, roster, **kwargs) -> list[str]:
    return [problem.message for problem in composition.roster_problems(roster, **kwargs)]


def test_a_roster_that_meets_the_councils_rules_has_no_problems(western_rules):
    assert messages_for(western_rules, valid_western_roster(western_rules)) == []


def test_too_many_directors(western_rules):
    roster = valid_western_roster(western_rules) + [director(western_rules, "Director", "WY", "One Too Many")]
    assert messages_for(western_rules, roster) == ["The board has 18 directors; WICSEC's rules allow 17."]


def test_a_western_seat_held_by_someone_from_east_of_the_mississippi(western_rules):
    roster = valid_western_roster(western_rules)
    roster[-1] = director(western_rules, "Director", "OH", "Pat Eastman")
    problems = western_rules.roster_problems(roster)
    assert [(p.row, p.field, p.message) for p in problems] == [(
        16, "jurisdiction",
        "The “Director” seat must go to a resident of a jurisdiction west of the Mississippi; Ohio is not one.",
    )]


def test_the_state_iv_d_director_seat_needs_a_western_state_not_a_tribe(western_rules):
    roster = valid_western_roster(western_rules)
    roster[0] = director(western_rules, "State IV-D director", "tribe-navajo-nation", "Lee Tsosie")
    assert messages_for(western_rules, roster) == [
        "The “State IV-D director” seat must go to a resident of a state west of the Mississippi; Navajo Nation is not one."
    ]


def test_missing_and_doubled_designated_seats(western_rules):
    roster = valid_western_roster(western_rules)
    roster[2] = director(western_rules, "At-large", "GA", "Second At-large")  # replaces the private-sector seat
    assert messages_for(western_rules, roster) == [
        "WICSEC's rules need 1 in the “Private sector” seat; the roster has none.",
        "WICSEC's rules allow 1 in the “At-large” seat; the roster has 2.",
    ]


def test_the_home_jurisdiction_rule(missouri_rules):
    roster = [director(missouri_rules, "Officer", "MO", f"Officer {n}") for n in range(4)]
    roster.append(director(missouri_rules, "Regional director", "KS", "Kansas Resident"))
    assert messages_for(missouri_rules, roster) == [
        "The “Regional director” seat must go to a resident of Missouri; Kansas is elsewhere."
    ]


def test_a_draft_roster_is_checked_director_by_director_only(western_rules):
    roster = [director(western_rules, "Director", "OH", "Pat Eastman")]
    assert len(messages_for(western_rules, roster)) == 5  # four empty designated seats, and Ohio
    assert messages_for(western_rules, roster, counts=False) == [
        "The “Director” seat must go to a resident of a jurisdiction west of the Mississippi; Ohio is not one."
    ]


def test_another_associations_seat_types_are_refused(western_rules, missouri_rules):
    roster = valid_western_roster(western_rules)
    roster[-1] = director(missouri_rules, "Regional director", "MO", "Wrong Rules")
    problems = western_rules.roster_problems(roster)
    assert (16, "seat_type", "That seat type is not one of WICSEC's.") in [(p.row, p.field, p.message) for p in problems]


def test_a_director_needs_a_name_or_a_member_and_a_term_that_ends_after_it_starts(western_rules):
    nameless = director(western_rules, "Director", "OR", name="", term_end=datetime.date(2026, 6, 30))
    with pytest.raises(ValidationError) as raised:
        nameless.clean()
    assert raised.value.message_dict == {
        "name": ["Give the director's name or choose their member account."],
        "term_end": ["The term must end after it starts."],
    }


def test_the_page_refuses_to_publish_a_roster_that_breaks_the_rules(western, western_rules):
    roster = valid_western_roster(western_rules) + [director(western_rules, "Director", "WY", "One Too Many")]
    with pytest.raises(ValidationError) as raised:
        western.home.add_child(instance=BoardPage(title="Board of directors", slug="board", directors=roster))
    assert raised.value.messages == ["The board has 18 directors; WICSEC's rules allow 17."]
    assert not BoardPage.objects.exists()


def test_a_valid_roster_publishes_and_the_page_shows_it(client, western, western_rules):
    page = western.home.add_child(
        instance=BoardPage(title="Board of directors", slug="board", directors=valid_western_roster(western_rules))
    )
    page.save_revision().publish()
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Board of directors</h1>" in html
    assert "Teresa Nakamura" in html and "Washington" in html and "IV-D employee" in html
    assert '<time datetime="2028-06-30">Jun 30, 2028</time>' in html
    assert "17 seats." in html


# --- Through the Wagtail admin ----------------------------------------------------------------


def roster_form_data(page_title: str, directors: list[BoardDirector], action: str) -> dict:
    rows = [
        {
            "name": d.name, "member": "", "title": d.title, "seat_type": d.seat_type_id,
            "jurisdiction": d.jurisdiction_id, "term_start": d.term_start.isoformat(), "term_end": d.term_end.isoformat(),
        }
        for d in directors
    ]
    data = nested_form_data({
        "title": page_title, "slug": "board", "intro": rich_text(""), "directors": inline_formset(rows),
    })
    data[action] = "1"
    return data


def test_the_admin_shows_each_broken_rule_and_keeps_what_was_typed(client, western, western_rules, people):
    roster = valid_western_roster(western_rules)
    roster[-1] = director(western_rules, "Director", "OH", "Pat Eastman")
    roster.append(director(western_rules, "Director", "WY", "Casey Overflow"))
    client.force_login(people.western_admin)
    response = client.post(
        f"/admin/pages/add/cms/boardpage/{western.home.pk}/", roster_form_data("Our board", roster, "action-publish")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The page could not be created due to validation errors" in html
    assert "The board has 18 directors; WICSEC&#x27;s rules allow 17." in html
    # On the offending row, next to its jurisdiction, and in the summary at the top.
    assert html.count("The “Director” seat must go to a resident of a jurisdiction west of the Mississippi; Ohio is not one.") == 2
    assert 'value="Casey Overflow"' in html and 'value="Our board"' in html
    assert not BoardPage.objects.exists()


def test_a_draft_may_hold_an_incomplete_roster_but_submitting_needs_it_whole(client, western, western_rules, people):
    client.force_login(people.western_editor)
    partial = valid_western_roster(western_rules)[:5]
    response = client.post(f"/admin/pages/add/cms/boardpage/{western.home.pk}/", roster_form_data("Board", partial, "action-save"))
    assert response.status_code == 302
    page = BoardPage.objects.get()
    assert not page.live and page.directors.count() == 5
    # An Ohio resident in a western seat is refused even in a draft.
    bad_row = partial + [director(western_rules, "Director", "OH", "Pat Eastman")]
    response = client.post(f"/admin/pages/{page.pk}/edit/", roster_form_data("Board", bad_row, "action-save"))
    assert response.status_code == 200
    assert "Ohio is not one." in response.content.decode()


def test_the_admin_offers_only_the_associations_own_seat_types_and_members(client, western, western_rules, missouri_rules, people):
    from cms.models import BoardPage as Page

    form_class = Page.get_edit_handler().get_form_class()
    form = form_class(parent_page=western.home, instance=Page(), for_user=people.western_admin)
    row = form.formsets["directors"].empty_form
    assert set(row.fields["seat_type"].queryset) == set(western_rules.seat_types.all())
    members = set(row.fields["member"].queryset)
    assert people.western_member in members and people.missouri_editor not in members


def test_seat_rules_whose_minimums_exceed_the_seats_are_refused(western, western_rules):
    from cms.models import BoardComposition

    form_class = BoardComposition.snippet_viewset.get_form_class()  # as the snippet admin builds it
    seat_types = [
        {"name": s.name, "description": s.description, "min_directors": s.min_directors,
         "max_directors": s.max_directors if s.max_directors is not None else "", "residency": s.residency,
         "id": s.pk}
        for s in western_rules.seat_types.all()
    ]
    seat_types[-1]["min_directors"] = 14  # 4 designated seats + 14 > 17
    data = nested_form_data({
        "association": western.association.pk, "total_seats": 17, "home_jurisdiction": "", "summary": "",
        "seat_types": inline_formset(seat_types, initial=len(seat_types)),
    })
    form = form_class(data, instance=western_rules)
    assert not form.is_valid()
    assert form.errors["total_seats"] == ["The seat types need at least 18 directors between them, more than the 17 seats."]


def test_seat_rules_are_kept_by_site_administrators_only(client, western_rules, people):
    from members.models import User

    edit_url = f"/admin/snippets/cms/boardcomposition/edit/{western_rules.pk}/"
    client.force_login(people.western_admin)
    assert client.get(edit_url).status_code in (302, 403)
    client.force_login(User.objects.filter(is_superuser=True).first())
    response = client.get(edit_url)
    assert response.status_code == 200
    assert "State IV-D director" in response.content.decode()
