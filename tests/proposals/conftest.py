import pytest

from accountability.choices import Submission
from accountability.models import Measurement, PeriodSubmission
from funding.models import Commitment
from tests.factories import CommitmentFactory, ReportingPeriodFactory


def lock_period(measurement: Measurement, status=Submission.APPROVED) -> PeriodSubmission:
    """Submit or approve the school's period of ``measurement``: its values are locked."""
    period = ReportingPeriodFactory(
        state=measurement.school.district.state, school_year=measurement.school_year, period=measurement.period
    )
    return PeriodSubmission._base_manager.create(school=measurement.school, reporting_period=period, status=status)


@pytest.fixture
def measurement(tenant):
    return Measurement._base_manager.filter(school=tenant.schools[0]).order_by("period").last()


@pytest.fixture
def pledged(tenant):
    """A zone-level commitment still pledged."""
    return CommitmentFactory(
        state=tenant.state, zone=tenant.zone, recipient_level=Commitment.RecipientLevel.ZONE, status="pledged"
    )
