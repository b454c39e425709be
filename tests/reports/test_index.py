"""The reports index lists the states and zones the user may report on, and only those (each link
opens), searchable by name and paged, with the request buttons on each row."""

import pytest
from django.urls import reverse

from tests.factories import ZoneFactory
from web.tables import PAGE_SIZE

EXPECTED = {
    "admin": ["Colorado", "Aurora Zone", "Denver Zone", "Ohio", "Ohio Zone"],
    "lead": ["Colorado", "Aurora Zone", "Denver Zone"],
    "viewer": ["Colorado", "Aurora Zone", "Denver Zone"],
    "commissioner": ["Colorado", "Aurora Zone", "Denver Zone"],
    "aurora_partner": ["Aurora Zone"],
    "denver_partner": ["Denver Zone"],
    "collaborator": [],  # reads Colorado's pages, but reports quote the Lead Partners' narratives
    "ohio_lead": ["Ohio", "Ohio Zone"],
}


def listed(response) -> list[str]:
    return [(row.zone or row.state).name for row in response.context["page"]]


def report_url(row) -> str:
    return reverse("reports:zone", args=[row.zone.pk]) if row.zone else reverse("reports:state", args=[row.state.pk])


@pytest.mark.parametrize("role", EXPECTED)
def test_the_index_lists_what_the_user_may_open_and_every_link_opens(client, people, colorado, role):
    client.force_login(people[role])
    response = client.get(reverse("reports:index"))
    rows = list(response.context["page"])
    assert listed(response) == EXPECTED[role]
    body = response.content.decode()
    for row in rows:
        assert f'href="{report_url(row)}"' in body
        assert client.get(report_url(row)).status_code == 200, report_url(row)
    states, zones = [row for row in rows if not row.zone], [row for row in rows if row.zone]
    assert body.count('name="kind" value="commissioner_brief"') == len(states)
    assert body.count('name="kind" value="state_progress"') == len(states)
    assert body.count('name="kind" value="zone_progress"') == len(zones)
    assert ('name="kind" value="portfolio"' in body) == (role == "admin")


def test_the_search_finds_a_state_with_its_zones_or_a_zone_by_name(client, people, colorado):
    client.force_login(people["admin"])
    assert listed(client.get(reverse("reports:index"), {"q": "colo"})) == ["Colorado", "Aurora Zone", "Denver Zone"]
    assert listed(client.get(reverse("reports:index"), {"q": "denver"})) == ["Denver Zone"]
    nothing = client.get(reverse("reports:index"), {"q": "Atlantis"})
    assert listed(nothing) == [] and "matches “Atlantis”" in nothing.content.decode()


def test_the_index_is_paged(client, people, colorado):
    for number in range(PAGE_SIZE):
        ZoneFactory(state=colorado.state, name=f"Extra Zone {number:02}")
    client.force_login(people["lead"])
    first = client.get(reverse("reports:index"))
    second = client.get(reverse("reports:index"), {"page": 2})
    assert len(listed(first)) == PAGE_SIZE and listed(first)[0] == "Colorado"
    assert listed(second) == [f"Extra Zone {number:02}" for number in range(PAGE_SIZE - 3, PAGE_SIZE)]
    assert 'rel="next"' in first.content.decode() and "Page 1 of 2" in first.content.decode()
