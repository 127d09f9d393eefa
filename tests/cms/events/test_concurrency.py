"""Two people racing for the last seat on PostgreSQL: the event row lock lets exactly one
of them have it; the other joins the waitlist."""

import threading

import pytest
from django.db import connection

from cms.events import services
from cms.events.models import Registration
from tests.cms.events.factories import association_site, make_event

pytestmark = pytest.mark.django_db(transaction=True)


def test_last_seat_goes_to_exactly_one_of_two_parallel_registrations(real_engines):
    assert connection.vendor == "postgresql"
    _, index = association_site(slug="mo")
    event = make_event(index, capacity=3)
    for number in range(2):
        services.register_guest(event, name=f"Early {number}", email=f"early{number}@agency.example")

    start = threading.Barrier(4)
    errors = []

    def register(number):
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=10)
            services.register_guest(event, name=f"Racer {number}", email=f"racer{number}@agency.example")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=register, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    racers = Registration.objects.filter(name__startswith="Racer")
    assert racers.filter(status=Registration.Status.CONFIRMED).count() == 1
    assert racers.filter(status=Registration.Status.WAITLISTED).count() == 3
    assert event.registrations.filter(status=Registration.Status.CONFIRMED).count() == 3


def test_the_same_guest_sent_twice_at_once_gets_one_registration(real_engines):
    _, index = association_site(slug="mo")
    event = make_event(index)
    start = threading.Barrier(2)
    outcomes = []

    def register():
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=10)
            services.register_guest(event, name="Marcus Lee", email="lee@dcf.kansas.example")
            outcomes.append("registered")
        except services.RegistrationError:
            outcomes.append("duplicate")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["duplicate", "registered"]
    assert event.registrations.count() == 1
