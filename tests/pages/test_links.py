"""Every link the app shows a role opens: no 4xx or 5xx among them (a crawl per role)."""

import pytest

from tests.crawl import crawl
from tests.worlds import ROLES, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_no_link_a_role_is_shown_is_broken(role, tenant, login):
    client = login(member(role, tenant))
    seen = crawl(client)
    assert len(seen.pages) > 5, seen.status
    assert seen.broken() == {}
