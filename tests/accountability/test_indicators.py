"""The SIG leading-indicator catalog, a state's own indicators (seen and used in that state only:
pages, forms, imports), numbers only in imports, and a state's accountability settings page."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from accountability.forms import BaselineForm
from accountability.models import Measurement, Metric
from imports.models import ImportScope
from imports.services import plan_import
from tests.factories import MetricFactory

pytestmark = pytest.mark.django_db

catalog_migration = importlib.import_module("accountability.migrations.0007_sig_indicator_catalog")
SIG_CODES = {row[0] for row in catalog_migration.SIG_INDICATORS}


def test_the_sig_catalog_is_there_after_migrate():
    catalog = {metric.code: metric for metric in Metric.objects.filter(code__startswith="sig-")}
    assert set(catalog) == SIG_CODES and len(SIG_CODES) == 12
    assert {(m.kind, m.state_id) for m in catalog.values()} == {(Metric.Kind.LEADING, None)}
    minutes = catalog["sig-minutes-school-year"]
    assert (minutes.unit, minutes.direction, minutes.max_value, minutes.grade_span) == (
        "minutes",
        "higher",
        Decimal("100000"),
        "grades K–12",
    )
    participation = [code for code in SIG_CODES if code.startswith("sig-participation-")]
    assert len(participation) == 4
    assert {catalog[code].grade_span for code in participation} == {"grades 3–12"}
    assert (catalog["sig-dropout-rate"].direction, catalog["sig-dropout-rate"].grade_span) == ("lower", "grades 9–12")
    assert all(metric.description for metric in catalog.values())
    assert all(metric.max_value == 100 for metric in catalog.values() if metric.unit == "percent")
    # Achievement metrics made beside it (the demo's, the tests') stay lagging.
    assert MetricFactory(code="ela-proficiency").kind == Metric.Kind.LAGGING


def test_the_catalog_migration_reverses():
    catalog_migration.remove_catalog(apps, None)
    assert not Metric.objects.filter(code__in=SIG_CODES).exists()
    catalog_migration.add_catalog(apps, None)
    assert Metric.objects.filter(code__in=SIG_CODES, kind=Metric.Kind.LEADING).count() == 12


@pytest.fixture
def own(world):
    """Colorado's own indicator."""
    return MetricFactory(code="co-reading-fluency", name="Reading fluency", state=world.home.state)


def test_a_states_indicator_is_seen_in_that_state_only(world, own):
    home, away = world.home.users, world.away.users
    for user in (*home.values(), world.admin):
        assert own in Metric.objects.visible_to(user), user
    for user in away.values():
        visible = Metric.objects.visible_to(user)
        assert own not in visible
        assert visible.filter(code__in=SIG_CODES).count() == 12  # the catalog, for every member
    assert set(Metric.objects.for_state(world.away.state).filter(state__isnull=False)) == set()
    assert own in Metric.objects.for_state(world.home.state)


def test_a_school_is_not_measured_on_another_states_indicator(world, own):
    away_school = world.away.schools[0]
    form = BaselineForm(instance=BaselineForm._meta.model(school=away_school), user=world.admin)
    assert own not in form.fields["metric"].queryset
    assert form.fields["metric"].queryset.filter(code__in=SIG_CODES).count() == 12
    measurement = Measurement(school=away_school, metric=own, school_year="2010-11", period=1, value=Decimal(3))
    with pytest.raises(ValidationError, match="another state's own indicator"):
        measurement.full_clean()


MEASUREMENTS = "nces_id,metric,school_year,period,value\n"


def plan(user, state, rows):
    data = (MEASUREMENTS + "".join(f"{row}\n" for row in rows)).encode()
    return plan_import("measurements", data, user, ImportScope(state))


def test_imports_know_only_the_catalog_and_their_states_indicators(world, own):
    home_school, away_school = world.home.schools[0], world.away.schools[0]
    home = plan(
        world.home.users["state_lead"], world.home.state, [f"{home_school.nces_id},co-reading-fluency,2010-11,1,3"]
    )
    assert home.errors == []
    away = plan(world.admin, world.away.state, [f"{away_school.nces_id},co-reading-fluency,2010-11,1,3"])
    assert [(e["column"], e["message"]) for e in away.errors] == [
        ("metric", "Unknown metric “co-reading-fluency”: use a metric code, name or id.")
    ]
    catalog = plan(world.admin, world.away.state, [f"{away_school.nces_id},sig-truancy,2010-11,1,3"])
    assert catalog.errors == []


@pytest.mark.parametrize("cell", ["N/A", "n/a", "-", "—", "NA"])
def test_an_import_refuses_no_value_marks(world, cell):
    school = world.home.schools[0]
    result = plan(world.home.users["state_lead"], world.home.state, [f"{school.nces_id},sig-truancy,2010-11,1,{cell}"])
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "value")]
    assert "leave the cell empty when there is no value" in result.errors[0]["message"]
    assert result.rows == []


def test_the_indicators_page_lists_the_catalog_and_the_states_own(world, own, login):
    url = reverse("accountability:state_indicators", kwargs={"state_pk": world.home.state.pk})
    page = login(world.home.users["state_viewer"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-indicator="co-reading-fluency"' in html and 'data-indicator="sig-dropout-rate"' in html
    assert "Lower is better" in html and "Grades 9–12" in html and "Leading indicator" in html
    assert "New indicator" not in html
    away_url = reverse("accountability:state_indicators", kwargs={"state_pk": world.away.state.pk})
    assert (
        'data-indicator="co-reading-fluency"'
        not in login(world.away.users["state_lead"]).get(away_url).content.decode()
    )
    assert login(world.away.users["state_lead"]).get(url).status_code == 404


INDICATOR = {
    "code": "co-tutoring-hours",
    "name": "Tutoring hours per student",
    "kind": "leading",
    "unit": "count",
    "direction": "higher",
    "min_value": "0",
    "max_value": "500",
    "lowest_grade": "K",
    "highest_grade": "8",
    "description": "Hours of high-dosage tutoring per enrolled student.",
}


def test_a_state_lead_adds_and_edits_their_states_indicators(world, own, login):
    state = world.home.state
    client = login(world.home.users["state_lead"])
    response = client.post(reverse("accountability:indicator_create", kwargs={"state_pk": state.pk}), INDICATOR)
    assert response.status_code == 302
    added = Metric.objects.get(code="co-tutoring-hours")
    assert (added.state, added.kind, added.grade_span) == (state, "leading", "grades K–8")

    edit = reverse("accountability:indicator_edit", kwargs={"state_pk": state.pk, "metric_pk": own.pk})
    response = client.post(edit, {**INDICATOR, "code": own.code, "name": "Oral reading fluency"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Oral reading fluency"
    assert own.history.count() == 2

    bad = client.post(
        reverse("accountability:indicator_create", kwargs={"state_pk": state.pk}),
        {**INDICATOR, "code": "x", "max_value": "-1"},
    )
    assert bad.status_code == 400
    assert "The largest value must be above the smallest." in bad.content.decode()


def test_who_may_change_indicators(world, own, login):
    state = world.home.state
    catalog = Metric.objects.get(code="sig-truancy")
    create = reverse("accountability:indicator_create", kwargs={"state_pk": state.pk})
    assert login(world.home.users["state_viewer"]).post(create, INDICATOR).status_code == 403
    assert login(world.home.users["lead_partner_staff"]).get(create).status_code == 403
    assert login(world.away.users["state_lead"]).get(create).status_code == 404
    catalog_edit = reverse("accountability:indicator_edit", kwargs={"state_pk": state.pk, "metric_pk": catalog.pk})
    assert login(world.home.users["state_lead"]).get(catalog_edit).status_code == 403  # the catalog is admins'
    assert login(world.admin).get(catalog_edit).status_code == 200
    away_own = MetricFactory(code="la-own", state=world.away.state)
    away_edit = reverse(
        "accountability:indicator_edit", kwargs={"state_pk": world.away.state.pk, "metric_pk": away_own.pk}
    )
    assert login(world.home.users["state_lead"]).get(away_edit).status_code == 404
    assert login(world.admin).get(away_edit).status_code == 200
    assert not Metric.objects.filter(code="co-tutoring-hours").exists()


SETTINGS = {
    "stale_after_days": "30",
    "remind_days_before": "5",
    "escalate_after_days": "10",
    "on_track_share": "0.90",
    "at_risk_share": "0.40",
}


def test_a_state_lead_tunes_the_thresholds_and_the_state_page_shows_them(world, login):
    state = world.home.state
    url = reverse("accountability:accountability_settings", kwargs={"state_pk": state.pk})
    client = login(world.home.users["state_lead"])
    versions = state.history.count()
    assert client.post(url, SETTINGS).status_code == 302
    state.refresh_from_db()
    assert (state.on_track_share, state.at_risk_share, state.stale_after_days) == (Decimal("0.90"), Decimal("0.40"), 30)
    assert state.history.count() == versions + 1

    page = client.get(reverse("portfolio:state_detail", kwargs={"state_pk": state.pk})).content.decode()
    assert "How a school's standing is judged" in page
    assert "reaches 90% of the gain the target asks for" in page and "it reaches 40%" in page
    assert "no status update for 30 days" in page and url in page

    refused = client.post(url, {**SETTINGS, "at_risk_share": "0.95"})
    assert refused.status_code == 400
    assert "The at-risk share is below the on-track share." in refused.content.decode()


def test_who_may_change_the_settings(world, login):
    url = reverse("accountability:accountability_settings", kwargs={"state_pk": world.home.state.pk})
    for role in ("state_viewer", "commissioner", "lead_partner_staff"):
        assert login(world.home.users[role]).post(url, SETTINGS).status_code == 403, role
    assert login(world.away.users["state_lead"]).post(url, SETTINGS).status_code == 404
    viewer_page = login(world.home.users["state_viewer"]).get(
        reverse("portfolio:state_detail", kwargs={"state_pk": world.home.state.pk})
    )
    assert (
        "How a school's standing is judged" in viewer_page.content.decode() and url not in viewer_page.content.decode()
    )
    assert login(world.admin).post(url, SETTINGS).status_code == 302
    world.home.state.refresh_from_db()
    assert world.home.state.stale_after_days == 30
