"""The progress read model (accountability.progress) is current after a write from every interface:
the workspace page, the API, its bulk endpoint, an import and the Django admin."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django_scopes import scopes_disabled

from accountability.models import Measurement, SchoolMetricProgress, SchoolProgress
from tests.api.test_use_cases import (  # noqa: F401  (pages: the signed-in page clients)
    ROLE,
    measurement_row,
    pages,
    through_api,
    through_bulk,
    through_import,
    through_page,
)

pytestmark = pytest.mark.django_db


def latest(world, school):
    """(school year, period, value) of the school's stored latest measurement of the world's metric."""
    with scopes_disabled():
        row = SchoolMetricProgress.objects.get(school=school, metric=world.metric)
    return row.latest_year, row.latest_period, row.latest


def test_every_write_path_keeps_the_stored_progress_current(pages, clients, world, admin_client):  # noqa: F811
    school = world.schools[0]
    writes = [
        lambda row: through_page(pages, row),
        lambda row: through_api(clients, row),
        lambda row: through_bulk(clients, row),
        lambda row: through_import(clients, world, row),
    ]
    for period, write in enumerate(writes, start=1):
        assert write(measurement_row(world, school, period=period, value=f"4{period}")) == {}
        assert latest(world, school) == ("2010-11", period, Decimal(f"4{period}"))

    with scopes_disabled():
        measurement = Measurement.objects.get(school=school, period=4)
    data = {name: value for name, value in model_to_dict(measurement).items() if value is not None}
    changed = admin_client.post(
        reverse("admin:accountability_measurement_change", args=[measurement.pk]), {**data, "value": "49"}
    )
    assert changed.status_code == 302
    assert latest(world, school) == ("2010-11", 4, Decimal("49"))


def test_a_status_update_posted_on_the_page_is_the_schools_stored_latest_rating(pages, world):  # noqa: F811
    school = world.schools[1]
    body = {"school": school.pk, "reported_on": "2011-05-02", "rating": "off_track", "narrative": "Behind."}
    assert pages[ROLE].post(reverse("accountability:post_status_update"), body).status_code == 302
    with scopes_disabled():
        stored = SchoolProgress.objects.get(school=school)
    assert (stored.rating, str(stored.reported_on)) == ("off_track", "2011-05-02")
