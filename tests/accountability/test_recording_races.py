"""A measurement recorded by someone else between validation and the write is the duplicate's
message (form error, 400), never an IntegrityError 500."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accountability import recording
from accountability.models import Measurement
from accountability.recording import record_measurements
from accounts.models import Role
from tests.factories import LaunchedZoneFactory, MeasurementFactory, MembershipFactory, MetricFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return LaunchedZoneFactory(schools=3).schools.first()


def unsaved_twin(existing) -> Measurement:
    """A new measurement with the key of ``existing``: validated before ``existing`` was saved."""
    fields = ("school", "metric", "school_year", "period")
    return Measurement(**{name: getattr(existing, name) for name in fields}, value=Decimal("50"))


def test_recording_a_measurement_recorded_meanwhile_names_the_existing_one(school):
    existing = MeasurementFactory(school=school, metric=MetricFactory(), value=Decimal("41.00"))
    staff = MembershipFactory(role=Role.LEAD_PARTNER_STAFF, lead_partner=school.zone.lead_partner).user
    with pytest.raises(ValidationError) as refused:
        record_measurements(staff, [unsaved_twin(existing)])
    error = refused.value.error_dict["__all__"][0]
    assert error.params["existing"] == existing.pk
    assert "already has a" in refused.value.messages[0] and "edit that one instead" in refused.value.messages[0]
    assert Measurement.objects.filter(school=school).count() == 1


def test_the_workspace_form_answers_the_race_with_the_existing_record_message(school, client, monkeypatch):
    metric = MetricFactory()
    staff = MembershipFactory(role=Role.LEAD_PARTNER_STAFF, lead_partner=school.zone.lead_partner).user
    client.force_login(staff)
    data = {"school": school.pk, "metric": metric.pk, "school_year": "2010-11", "period": 1, "value": "44.5"}
    written = []
    check = recording._check

    def other_session_writes_first(user, report):
        """The other session's write lands after this form's checks, before its own write."""
        written.append(MeasurementFactory(school=school, metric=metric, school_year="2010-11", period=1))
        check(user, report)

    monkeypatch.setattr(recording, "_check", other_session_writes_first)
    response = client.post(reverse("accountability:post_measurement"), data)
    existing = written[0]
    assert response.status_code == 400
    errors = response.context["measurement_form"].non_field_errors()
    assert len(errors) == 1 and "already has a" in errors[0]
    assert list(Measurement.objects.filter(school=school, metric=metric)) == [existing]
