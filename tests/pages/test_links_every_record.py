"""The link crawl again, on a world with a row of every tenant model (the isolation matrix's
marked tenants): the pages of meetings, contracts, reviews, proposals, imports, report runs and
the rest are reached and their links opened, as every role."""

import pytest

from tests.accounts.conftest import build_world
from tests.crawl import crawl
from tests.worlds import ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world_builder():
    return build_world


@pytest.mark.parametrize("role", ROLES)
def test_no_link_a_role_is_shown_is_broken_where_every_record_exists(role, world, login):
    seen = crawl(login(world.users[str(role)]), per_type=1)  # the first world opens more of each type
    assert len(seen.pages) > 20, seen.status
    assert seen.broken() == {}
