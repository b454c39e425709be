"""The activity read model: hours per collaborator and per state by service area, against sums
worked out by hand; the list page, its CSV, the portfolio and state pages read the same figures."""

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.activity import activity_rollup, save_activity_report
from network.models import ActivityReport
from partners.models import ServiceArea
from tests.factories import ActivityReportFactory, CollaboratorEngagementFactory, NationalCollaboratorFactory
from tests.worlds import query_counts

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def activity(world):
    """Collaborator X (Colorado's engaged one) in Colorado (planning, budget audits) and Louisiana
    (human capital); collaborator Y in Colorado (communications)."""
    home, away = world.home, world.away
    x_planning = home.engagement
    x = x_planning.collaborator
    x.name = "Aspen Advisors"
    x.save()
    y = NationalCollaboratorFactory(name="Zenith Partners")
    x_budget = CollaboratorEngagementFactory(collaborator=x, state=home.state, service_area=ServiceArea.BUDGET_AUDITS)
    x_away = CollaboratorEngagementFactory(collaborator=x, state=away.state, service_area=ServiceArea.HUMAN_CAPITAL)
    y_comms = CollaboratorEngagementFactory(collaborator=y, state=home.state, service_area=ServiceArea.COMMUNICATIONS)
    reports = [
        ActivityReportFactory(engagement=x_planning, date=datetime.date(2011, 1, 10), hours=D("3.00")),
        ActivityReportFactory(engagement=x_planning, date=datetime.date(2011, 2, 1), hours=D("2.50")),
        ActivityReportFactory(engagement=x_budget, date=datetime.date(2011, 3, 1), hours=D("4.00")),
        ActivityReportFactory(engagement=x_away, date=datetime.date(2011, 4, 1), hours=D("5.25")),
        ActivityReportFactory(engagement=y_comms, date=datetime.date(2011, 2, 15), hours=D("1.75")),
    ]
    return SimpleNamespace(x=x, y=y, x_budget=x_budget, x_away=x_away, y_comms=y_comms, reports=reports)


def hours(**by_area):
    return {area: D(by_area.get(area.value, "0")) for area in ServiceArea}


def test_the_rollup_adds_hours_by_collaborator_and_state(world, activity):
    rollup = activity_rollup(ActivityReport.objects.all())

    x, y = rollup.by_collaborator
    assert (x.collaborator.pk, y.collaborator.pk) == (activity.x.pk, activity.y.pk)
    assert list(x.hours) == list(ServiceArea)  # every area, in the vocabulary's order
    assert x.hours == hours(planning="5.50", budget_audits="4.00", human_capital="5.25")
    assert (x.total_hours, x.states, x.reports, x.last_date) == (
        D("14.75"),
        ["Colorado", "Louisiana"],
        4,
        datetime.date(2011, 4, 1),
    )
    assert y.hours == hours(communications="1.75")
    assert (y.total_hours, y.states, y.reports, y.last_date) == (D("1.75"), ["Colorado"], 1, datetime.date(2011, 2, 15))

    colorado, louisiana = rollup.by_state
    assert colorado.state.name == "Colorado"
    assert colorado.hours == hours(planning="5.50", budget_audits="4.00", communications="1.75")
    assert (colorado.total_hours, colorado.collaborators) == (D("11.25"), ["Aspen Advisors", "Zenith Partners"])
    assert (louisiana.total_hours, louisiana.collaborators) == (D("5.25"), ["Aspen Advisors"])
    assert rollup.hours == hours(planning="5.50", budget_audits="4.00", human_capital="5.25", communications="1.75")
    assert (rollup.total_hours, rollup.reports) == (D("16.50"), 5)


def test_the_rollup_is_one_query_and_takes_a_date_range(world, activity):
    with CaptureQueriesContext(connection) as queries:
        rollup = activity_rollup(
            ActivityReport.objects.all(), since=datetime.date(2011, 2, 1), until=datetime.date(2011, 3, 1)
        )
    assert len(queries) == 1
    x, y = rollup.by_collaborator
    assert x.hours == hours(planning="2.50", budget_audits="4.00")
    assert (x.states, y.total_hours, rollup.total_hours) == (["Colorado"], D("1.75"), D("8.25"))


def test_an_empty_rollup_has_every_area_at_zero(world):
    rollup = activity_rollup(ActivityReport.objects.none())
    assert (rollup.by_collaborator, rollup.by_state, rollup.total_hours) == ([], [], D("0"))
    assert rollup.hours == hours()


def test_save_activity_report_validates_and_records_the_author(world):
    collaborator = world.home.users["collaborator"]
    report = ActivityReport(
        engagement=world.home.engagement,
        date=datetime.date(2011, 5, 2),
        hours=D("2"),
        participants="Director",
        topics="Budget",
        outcome="Plan",
    )
    saved = save_activity_report(report, collaborator)
    assert saved.pk and saved.author == collaborator
    saved.hours = D("3")
    save_activity_report(saved, world.admin)
    saved.refresh_from_db()
    assert (saved.author, saved.hours) == (collaborator, D("3.00"))


def page_rollup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["rollup"]


def test_the_list_page_rolls_up_what_the_reader_reads(world, activity, login):
    """A Colorado state viewer's page leaves out X's Louisiana report (the wall does it)."""
    url = reverse("network:activity_list")
    rollup = page_rollup(login(world.home.users["state_viewer"]), url)
    x, _y = rollup.by_collaborator
    assert (x.total_hours, x.states, x.reports) == (D("9.50"), ["Colorado"], 3)
    assert rollup.total_hours == D("11.25")
    admin_rollup = page_rollup(login(world.admin), url)
    assert admin_rollup.total_hours == D("16.50")


def test_the_list_filters_and_its_rollup_follow_them(world, activity, login):
    client = login(world.admin)
    url = reverse("network:activity_list")
    by_state = client.get(url, {"state": world.away.state.pk})
    assert [report.pk for report in by_state.context["reports"]] == [activity.reports[3].pk]
    assert by_state.context["rollup"].total_hours == D("5.25")
    by_collaborator = client.get(url, {"collaborator": activity.y.pk})
    assert by_collaborator.context["rollup"].total_hours == D("1.75")
    by_area = client.get(url, {"service_area": "planning"})
    assert by_area.context["rollup"].total_hours == D("5.50")
    by_dates = client.get(url, {"since": "2011-02-01", "until": "2011-03-01"})
    assert by_dates.context["rollup"].total_hours == D("8.25")
    assert by_dates.context["reports"].paginator.count == 3
    backwards = client.get(url, {"since": "2011-03-01", "until": "2011-02-01"})
    assert backwards.status_code == 200 and "until" in backwards.context["filters"].errors


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_the_page_figures(world, activity, login):
    client = login(world.home.users["state_lead"])
    query = {"since": "2011-01-01"}
    rollup = page_rollup(client, reverse("network:activity_list") + "?since=2011-01-01")
    rows = read_csv(client.get(reverse("network:activity_csv"), {**query, "rollup": "1"}))
    assert [row["Collaborator"] for row in rows] == [row.collaborator.name for row in rollup.by_collaborator]
    for row, figures in zip(rows, rollup.by_collaborator, strict=True):
        assert D(row["Total hours"]) == figures.total_hours
        assert row["States served"] == "; ".join(figures.states)
        assert int(row["Reports"]) == figures.reports
        for area in ServiceArea:
            assert D(row[f"{area.label} (hours)"]) == figures.hours[area]
    reports = read_csv(client.get(reverse("network:activity_csv"), query))
    assert len(reports) == rollup.reports == 4  # Colorado's: not X's Louisiana report
    assert sum(D(row["Hours"]) for row in reports) == rollup.total_hours


def test_the_csv_is_formula_safe(world, activity, login):
    report = activity.reports[0]
    report.topics = '=HYPERLINK("http://evil.example")'
    report.save()
    rows = read_csv(login(world.admin).get(reverse("network:activity_csv"), {"collaborator": activity.x.pk}))
    assert '\'=HYPERLINK("http://evil.example")' in [row["Topics"] for row in rows]


def test_the_portfolio_page_shows_the_network_activity(world, activity, login):
    response = login(world.admin).get(reverse("portfolio:portfolio"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Network activity" in body
    rollup = response.context["activity"]
    assert rollup.total_hours == D("16.50")
    assert f'data-collaborator="{activity.x.pk}"' in body
    assert 'data-area="human_capital" data-value="5.25"' in body
    assert "Colorado, Louisiana" in body
    exported = read_csv(login(world.admin).get(reverse("portfolio:portfolio"), {"export": "activity"}))
    assert [D(row["Total hours"]) for row in exported] == [D("14.75"), D("1.75")]


def test_the_state_page_shows_its_collaborators_hours(world, activity, login):
    url = reverse("portfolio:state_detail", kwargs={"state_pk": world.home.state.pk})
    response = login(world.home.users["state_lead"]).get(url)
    body = response.content.decode()
    assert "Collaborators&#x27; activity" in body or "Collaborators' activity" in body
    rollup = response.context["activity"]
    x, y = rollup.by_collaborator
    assert (x.total_hours, x.last_date, y.total_hours) == (D("9.50"), datetime.date(2011, 3, 1), D("1.75"))
    assert f"{reverse('network:activity_list')}?state={world.home.state.pk}" in body
    assert f"{reverse('network:activity_csv')}?state={world.home.state.pk}&amp;rollup=1" in body
    staff = login(world.home.users["lead_partner_staff"]).get(url)
    assert staff.status_code == 200 and staff.context["activity"] is None


def test_activity_pages_run_constant_queries(world, activity, login):
    client = login(world.admin)
    urls = [
        reverse("network:activity_list"),
        reverse("network:activity_csv"),
        reverse("network:activity_csv") + "?rollup=1",
        reverse("network:activity_detail", kwargs={"activityreport_pk": activity.reports[0].pk}),
    ]
    small = query_counts(client, urls)
    for engagement in (activity.x_budget, activity.x_away, activity.y_comms):
        ActivityReportFactory.create_batch(4, engagement=engagement)
    assert query_counts(client, urls) == small
