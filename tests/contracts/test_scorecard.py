"""The scorecard's figures are the read models' own, on the built world: the standings of
accountability.services, the collection calendar's records, funding.services' totals."""

import datetime
from decimal import Decimal

from django_scopes import scopes_disabled

from accountability.calendar import submission_records
from accountability.choices import Submission
from accountability.models import Measurement, StatusUpdate
from accountability.services import StandingCounts, school_standings
from contracts.scorecard import review_scorecard
from funding.models import Commitment, Expenditure
from funding.services import funding_totals
from tests.factories import PeriodSubmissionFactory, ReportingPeriodFactory

AS_OF = datetime.date(2011, 8, 31)


def test_the_scorecard_reads_the_standings_records_and_money_of_the_zone(colorado):
    zone = colorado.zone
    with scopes_disabled():
        schools = list(zone.schools.order_by("name", "pk"))
        fall = ReportingPeriodFactory(
            state=zone.state, school_year="2010-11", period=Measurement.Period.FALL, due_on=datetime.date(2010, 11, 15)
        )
        PeriodSubmissionFactory(
            school=schools[0],
            reporting_period=fall,
            status=Submission.APPROVED,
            first_submitted_at=datetime.datetime(2010, 11, 10, 12, tzinfo=datetime.UTC),
            times_returned=1,
        )
        card = review_scorecard(colorado.contract, "2010-11", as_of=AS_OF)
        standings = school_standings(schools, StatusUpdate.objects.all(), today=AS_OF)
        records = submission_records(schools, today=AS_OF)
        totals = funding_totals(Commitment.objects.filter(zone=zone), Expenditure.objects.all())

    assert card.counts == StandingCounts.of(standings)
    assert [row.standing for row in card.standings] == [row.standing for row in standings]
    record = card.record
    assert (record.due, record.late, record.returned) == (
        sum(r.due for r in records.values()),
        sum(r.late for r in records.values()),
        sum(r.returned for r in records.values()),
    )
    assert (record.due, record.late, record.returned, card.on_time) == (3, 2, 1, 1)
    assert card.on_time_share == Decimal("0.333")
    assert [row.updates for row in card.schools] == [1, 1, 1]  # each school's 2011-03-01 update
    assert card.funding == totals
    assert card.spent_share == (totals.spent / totals.committed).quantize(Decimal("0.001"))

    (check,) = card.targets
    assert (check.met, check.measured) == (3, 3)  # end-of-year 56 against the level 50

    figures = card.as_dict()
    assert figures["academic"]["targets"][0]["indicator"] == "ELA proficiency"
    assert figures["academic"]["targets"][0]["unit"] == "Percent"
    assert figures["operational"]["on_time_share"] == "0.333"
    assert figures["financial"]["committed"] == str(totals.committed)
    assert {row["label"] for row in figures["academic"]["schools"]} <= {"On track", "At risk", "Off track", "No data"}


def test_a_target_a_school_misses_counts_against_it(colorado):
    with scopes_disabled():
        colorado.target.level = Decimal("60")
        colorado.target.save()
        (check,) = review_scorecard(colorado.contract, "2010-11", as_of=AS_OF).targets
    assert (check.met, check.measured) == (0, 3)
