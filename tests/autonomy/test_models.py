"""The ledger's model rules (full_clean: pages, API, admin and the ledger all run them)."""

import datetime

import pytest
from django.utils import timezone

from autonomy.models import AutonomyCheckIn, AutonomyTerm
from tests.factories import AutonomyCheckInFactory, AutonomyTermFactory, LaunchedZoneFactory

pytestmark = pytest.mark.django_db
Status, Power, Area = AutonomyTerm.Status, AutonomyTerm.Power, AutonomyTerm.Area


def term(**values):
    return AutonomyTerm(
        zone=LaunchedZoneFactory(),
        **{"area": Area.PEOPLE, "power": Power.HIRING, "status": Status.REQUESTED, **values},
    )


def test_a_power_belongs_to_its_area(invalid):
    [message] = invalid(term(area=Area.MONEY, power=Power.HIRING), "power")["power"]
    assert message == "Hiring belongs to the People area, not Money."
    term(area=Area.TIME, power=Power.EXTENDED_LEARNING_TIME).full_clean()


def test_a_term_ends_after_it_takes_effect(invalid):
    day = datetime.date(2011, 7, 1)
    errors = invalid(term(effective_from=day, effective_until=day), "effective_until")
    assert errors["effective_until"] == ["A term ends after it takes effect."]
    term(effective_from=day, effective_until=day + datetime.timedelta(days=1)).full_clean()


def test_a_granted_term_names_its_legal_source_and_effective_date(invalid):
    assert invalid(term(status=Status.GRANTED), "source", "effective_from") == {
        "source": ["A granted term names its legal source."],
        "effective_from": ["A granted term says from when it takes effect."],
    }
    assert invalid(term(status=Status.CONTESTED), "source")["source"] == ["A contested term names its legal source."]
    term(status=Status.REQUESTED).full_clean()  # a request may come before its source is settled


def test_a_check_in_reports_on_a_granted_or_contested_term_observed_by_today(invalid):
    requested = AutonomyTermFactory(status=Status.REQUESTED)
    refused = AutonomyCheckIn(term=requested, practice="holds", note="Fine.", observed_on=datetime.date(2011, 1, 1))
    assert invalid(refused, "__all__")["__all__"] == [
        "Check-ins report whether a granted term holds in practice; this term is requested."
    ]
    future = AutonomyCheckInFactory.build(
        term=AutonomyTermFactory(), observed_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert invalid(future, "observed_on")["observed_on"] == [
        "A check-in reports what was observed: the date cannot be in the future."
    ]


def test_labels_are_human_readable():
    made = AutonomyTermFactory(status=Status.CONTESTED)
    assert str(made) == f"{made.zone}: Hiring (contested)"
    assert made.status_colour == "#b3261e"
