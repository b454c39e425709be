import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import SchoolFactory
from tests.worlds import member
from web.tables import PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_long_lists_are_paginated_and_the_export_has_every_row(tenant, login):
    district = tenant.schools[0].district
    SchoolFactory.create_batch(PAGE_SIZE, district=district)
    total = PAGE_SIZE + len(tenant.schools)
    client = login(member(Role.STATE_VIEWER, tenant))
    url = reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})

    first = client.get(url).context["standings"]
    assert (len(first), first.paginator.count, first.paginator.num_pages) == (PAGE_SIZE, total, 2)
    second = client.get(url, {"schools_page": 2}).context["standings"]
    assert len(second) == total - PAGE_SIZE
    assert not {row.school.pk for row in first} & {row.school.pk for row in second}

    rows = list(csv.reader(io.StringIO(client.get(url, {"export": "schools", "schools_page": 2}).content.decode())))
    assert len(rows) == total + 1  # header and every school, whatever the page


def test_page_links_keep_the_other_query_parameters(tenant, login):
    SchoolFactory.create_batch(PAGE_SIZE, district=tenant.schools[0].district)
    client = login(member(Role.STATE_VIEWER, tenant))
    url = reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})
    content = client.get(url, {"commitments_page": 1}).content.decode()
    assert 'href="?commitments_page=1&amp;schools_page=2#schools"' in content
