"""The renewal dossier: its content (the PDF's text holds the decision inputs), the daily beat that
assembles it before each renewal date, and the renewal page where the state lead records the
decision, shown on the zone page and the portfolio.

Aurora (tests/reports/conftest.py) adds here, as of 2010-12-31: a fall period due 2010-10-15
(winter due 2011-02-15, not yet due). East MS approved after one return, first submitted late;
North MS submitted on time, not yet approved; West MS nothing (late). North MS attendance
(a leading indicator) 91.50 in the fall, 93.00 in the winter. Exit criterion: Reading targets met
one year: East 42 (target 60) and North 40 (target 50) in 2010-11 miss it.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accountability.choices import Submission
from accountability.models import ExitCriterion, Measurement, Metric, RenewalDecision
from reports import services, tasks
from reports.models import ReportRun
from tests.factories import (
    ExitCriterionFactory,
    MeasurementFactory,
    MetricFactory,
    PeriodSubmissionFactory,
    RenewalDecisionFactory,
    ReportingPeriodFactory,
)

from .conftest import AS_OF

DOSSIER = ReportRun.Kind.RENEWAL_DOSSIER


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def aurora(colorado):
    state, zone = colorado.state, colorado.aurora
    fall = ReportingPeriodFactory(
        state=state, school_year="2010-11", period=Measurement.Period.FALL, due_on=datetime.date(2010, 10, 15)
    )
    ReportingPeriodFactory(
        state=state, school_year="2010-11", period=Measurement.Period.WINTER, due_on=datetime.date(2011, 2, 15)
    )
    PeriodSubmissionFactory(
        school=colorado.east,
        reporting_period=fall,
        status=Submission.APPROVED,
        first_submitted_at=at(datetime.date(2010, 10, 20)),
        submitted_at=at(datetime.date(2010, 10, 28)),
        times_returned=1,
    )
    PeriodSubmissionFactory(
        school=colorado.north,
        reporting_period=fall,
        status=Submission.SUBMITTED,
        first_submitted_at=at(datetime.date(2010, 10, 10)),
        submitted_at=at(datetime.date(2010, 10, 10)),
    )
    attendance = MetricFactory(code="attendance", name="Student attendance rate", kind=Metric.Kind.LEADING)
    for period, value in ((Measurement.Period.FALL, "91.5"), (Measurement.Period.WINTER, "93")):
        MeasurementFactory(school=colorado.north, metric=attendance, period=period, value=Decimal(value))
    ExitCriterionFactory(state=state, kind=ExitCriterion.Kind.TARGETS_MET, years=1, metric=colorado.reading)
    zone.renewal_on = datetime.date(2011, 2, 15)
    zone.save()
    return zone


class PdfText(str):
    """A PDF's text, searched without regard to whitespace (the text extraction spaces table
    cells and wrapped lines unevenly)."""

    def __contains__(self, phrase) -> bool:
        return re.sub(r"\s+", "", phrase) in re.sub(r"\s+", "", str(self))


def pdf_text(content: bytes) -> PdfText:
    reader = PdfReader(io.BytesIO(content))
    return PdfText(" ".join(page.extract_text() for page in reader.pages))


def test_the_dossier_pdf_holds_the_decision_inputs(colorado, aurora):
    RenewalDecisionFactory(zone=aurora, decision=RenewalDecision.Decision.INTENSIFY, reasons="Reading lags at East MS.")
    dossier = services.renewal_dossier(aurora, as_of=AS_OF)
    text = pdf_text(services.renewal_dossier_pdf(dossier))

    assert "Aurora Zone" in text and "Renewal decision due February 15, 2011" in text
    # Targets vs latest results (North MS reading: 30 → 40, target 50, projected 50).
    assert "Reading proficiency 30.00 (2009-10) 40.00 (2010-11) 50.00 (2011-12) 50.00 On track" in text
    # The leading-indicator trend.
    assert "North MS: Student attendance rate 2010-11 Fall 91.50 · 2010-11 Winter 93.00" in text
    # The submission record: due, late now, submitted late, returned, approved.
    assert "East MS 1 0 1 1 1" in text and "North MS 1 0 0 0 0" in text and "West MS 1 1 0 0 0" in text
    # Spending vs commitments (zone-level) and the state-level money spent in the zone.
    assert "pledged $510,000 · committed $450,000 · received $0 · spent $0" in text
    assert "state-level funds spent in the zone $100,000" in text
    # The status-update history (ratings over time).
    assert "Sep 1, 2010 On track · Oct 1, 2010 Off track · Dec 1, 2010 Off track" in text
    # The exit criterion checked.
    assert "Targets met 1 consecutive school years (Reading proficiency) Not met" in text
    assert "North MS Reading proficiency 40.00 in 2010-11 (target 50.00)" in text
    # The data not yet available for this decision.
    assert "Data not yet available for this decision" in text
    assert "West MS: no Reading proficiency value for 2011-12, its target year." in text
    assert "North MS: 0 of 1 reporting periods due so far approved." in text
    assert "West MS: 0 of 1 reporting periods due so far approved." in text
    assert "East MS: 1 of 1" not in text
    # The decisions so far.
    assert "Intensify support Reading lags at East MS." in text
    assert "Ohio" not in text and "Denver" not in text


def test_the_beat_requests_one_dossier_per_zone_due(colorado, aurora, django_capture_on_commit_callbacks):
    """Zones whose renewal date is within the lead time get their dossier, once: a second beat (or
    the next day's) reuses the run of that renewal."""
    colorado.ohio.renewal_on = datetime.date(2011, 1, 10)
    colorado.ohio.save()
    colorado.denver.renewal_on = datetime.date(2011, 6, 30)  # beyond the lead time
    colorado.denver.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.assemble_renewal_dossiers.delay("2010-12-31").get()
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.assemble_renewal_dossiers.delay("2010-12-31").get()
        next_day = tasks.assemble_renewal_dossiers.delay("2011-01-01").get()
    assert first == again == next_day and len(first) == 2
    runs = ReportRun.objects.filter(kind=DOSSIER)
    assert runs.count() == 2
    assert {(run.zone, run.period, run.requested_by) for run in runs} == {
        (colorado.ohio, "2011-01", None),
        (aurora, "2011-02", None),
    }
    run = runs.get(zone=aurora)
    assert run.status == ReportRun.Status.DONE and run.file.name.endswith(f"renewal-CO-zone{aurora.pk}-2011-02.pdf")
    assert "Aurora Zone" in pdf_text(run.file.read())


def test_the_beat_runs_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["renewal-dossiers"]
    assert entry["task"] == tasks.assemble_renewal_dossiers.name
    assert entry["schedule"].hour == {5} and entry["schedule"].minute == {15}


def test_a_dossier_requested_from_the_page_is_about_the_renewal(aurora, people, client):
    client.force_login(people["lead"])
    response = client.post(reverse("reports:request"), {"kind": DOSSIER, "zone": aurora.pk})
    run = ReportRun.objects.get(kind=DOSSIER)
    assert response.status_code == 302 and run.zone == aurora and run.period == "2011-02"


# --- The renewal page and the decision ---


def renewal_url(zone):
    return reverse("portfolio:zone_renewal", kwargs={"zone_pk": zone.pk})


DECISION = {
    "decision": "replace_lead_partner",
    "reasons": "Two years off track at East MS.",
    "decided_on": "2010-12-20",
}


def test_the_state_lead_records_the_decision_beside_the_exit_checks(aurora, people, client):
    client.force_login(people["lead"])
    page = client.get(renewal_url(aurora))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="decision-form"' in body
    assert "Not met" in body and "Data not yet available for this decision" in body

    response = client.post(renewal_url(aurora), DECISION)
    assert response.status_code == 302 and response["Location"].endswith("#renewal")
    decision = RenewalDecision.objects.get(zone=aurora)
    assert decision.decided_by == people["lead"] and decision.decision == "replace_lead_partner"

    zone_page = client.get(reverse("portfolio:zone_detail", kwargs={"zone_pk": aurora.pk})).content.decode()
    assert "Latest decision: Replace the Lead Partner" in zone_page
    assert "Two years off track at East MS." in zone_page and str(people["lead"]) in zone_page


def test_a_refused_decision_keeps_the_form_with_its_errors(aurora, people, client):
    client.force_login(people["lead"])
    response = client.post(renewal_url(aurora), {**DECISION, "reasons": "", "decision": "retire"})
    assert response.status_code == 400 and not RenewalDecision.objects.exists()
    assert response.context["form"].errors.keys() == {"reasons", "decision"}


def test_the_lead_partner_reads_the_dossier_but_cannot_decide(aurora, people, client):
    client.force_login(people["aurora_partner"])
    page = client.get(renewal_url(aurora))
    assert page.status_code == 200 and 'id="decision-form"' not in page.content.decode()
    assert client.post(renewal_url(aurora), DECISION).status_code == 403
    assert not RenewalDecision.objects.exists()


@pytest.mark.parametrize("who", ["ohio_lead", "denver_partner", "collaborator"])
def test_not_yours_is_not_found(aurora, people, client, who):
    client.force_login(people[who])
    assert client.get(renewal_url(aurora)).status_code == 404
    assert client.post(renewal_url(aurora), DECISION).status_code == 404
    assert not RenewalDecision.objects.exists()


def test_the_portfolio_lists_renewals_due_with_their_latest_decision(aurora, people, client):
    today = timezone.localdate()
    aurora.renewal_on = today + datetime.timedelta(days=30)
    aurora.save()
    RenewalDecisionFactory(zone=aurora, decision=RenewalDecision.Decision.EXIT, decided_on=today)
    client.force_login(people["admin"])
    body = client.get(reverse("portfolio:portfolio")).content.decode()
    assert 'data-figure="renewals_due" data-value="1"' in body
    assert "Aurora Zone</a>" in body and "Exit (" in body
    csv = client.get(reverse("portfolio:portfolio"), {"export": "portfolio"}).content.decode()
    assert f"Aurora Zone {aurora.renewal_on:%Y-%m-%d} Exit" in csv
