"""Every page runs the same number of SQL queries whatever the amount of data behind it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import CommitmentFactory, MeasurementFactory, StateFactory, StatusUpdateFactory
from tests.worlds import grow_state, make_tenant, member

pytestmark = pytest.mark.django_db


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def pages(tenant):
    school = tenant.schools[1]
    return [
        reverse("portfolio:portfolio"),
        reverse("portfolio:portfolio") + "?export=portfolio",
        reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk}),
        reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk}) + "?export=schools",
        reverse("portfolio:zone_detail", kwargs={"zone_pk": tenant.zone.pk}),
        reverse("portfolio:school_detail", kwargs={"school_pk": school.pk}),
        reverse("accountability:workspace"),
        reverse("schools:zone_edit", kwargs={"zone_pk": tenant.zone.pk}),
        reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk}),
        reverse("schools:school_edit", kwargs={"school_pk": school.pk}),
        reverse("funding:commitment_create", kwargs={"state_pk": tenant.state.pk}),
        reverse("funding:expenditure_create", kwargs={"state_pk": tenant.state.pk}),
        reverse("accountability:baseline_create", kwargs={"school_pk": school.pk}),
    ]


@pytest.mark.parametrize("role", [Role.INITIATIVE_ADMIN, Role.STATE_LEAD, Role.LEAD_PARTNER_STAFF])
def test_pages_run_constant_queries_at_two_data_sizes(role, login, db):
    tenant = make_tenant("Colorado")
    user = member(role, tenant)
    if role == Role.LEAD_PARTNER_STAFF:
        urls = [url for url in pages(tenant) if "/edit/" not in url and "/new/" not in url]
    else:
        urls = pages(tenant)
    client = login(user)
    small = {url: query_count(client, url) for url in urls}

    # More of everything: zones of the same Lead Partner, schools, updates, measurements, money, states.
    for _ in range(2):
        for zone, _schools, _commitment, _expenditure in grow_state(tenant.state):
            zone.lead_partner = tenant.zone.lead_partner
            zone.save()
        grow_state(StateFactory())
    for school in tenant.schools:
        grow_more_history(school)
    CommitmentFactory.create_batch(3, state=tenant.state)  # state-level money, listed beside the zones'
    client = login(user)
    large = {url: query_count(client, url) for url in urls}
    assert large == small


def grow_more_history(school):
    metric = school.baselines.get().metric
    for period in (2, 3):
        MeasurementFactory(school=school, metric=metric, period=period)
    StatusUpdateFactory.create_batch(3, school=school)
