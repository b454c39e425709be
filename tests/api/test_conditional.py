"""Conditional requests (web.conditional): ETag on objects and list pages, 304 on If-None-Match,
412 on a stale If-Match (versioned or not), 428 when If-Match is required."""

import pytest

from accountability.models import StatusUpdate
from accounts.models import Role
from tests.api.conftest import token_client
from tests.worlds import membership as member

STATUS_UPDATES = "/api/v1/status-updates/"
STATUS_UPDATE = {"reported_on": "2011-01-15", "rating": "at_risk", "narrative": "Attendance dipped in January."}


@pytest.fixture
def update_url(clients, world):
    response = clients["lead_partner_staff"].post(
        STATUS_UPDATES, {**STATUS_UPDATE, "school": world.schools[0].pk}, format="json"
    )
    assert response.status_code == 201, response.content
    return f"{STATUS_UPDATES}{response.json()['id']}/"


def strong(etag: str) -> bool:
    return etag.startswith('"') and etag.endswith('"') and len(etag) > 2


def test_an_object_and_a_list_page_carry_an_etag_and_answer_304_when_unchanged(clients, update_url):
    client = clients["state_lead"]
    for url in (update_url, STATUS_UPDATES):
        first = client.get(url)
        assert first.status_code == 200 and strong(first["ETag"])
        assert client.get(url)["ETag"] == first["ETag"]  # the same representation, the same tag
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", first["ETag"])
        assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{first["ETag"]}').status_code == 304
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200

    before = client.get(update_url)["ETag"]
    assert client.patch(update_url, {"narrative": "Recovered."}, format="json").status_code == 200
    changed = client.get(update_url, HTTP_IF_NONE_MATCH=before)
    assert changed.status_code == 200 and changed["ETag"] != before and changed.json()["narrative"] == "Recovered."


def test_a_versioned_record_keeps_its_version_as_etag(clients, world):
    school = world.schools[0]
    response = clients["state_lead"].get(f"/api/v1/schools/{school.pk}/")
    assert response["ETag"] == f'"{school.version}"'
    assert (
        clients["state_lead"].get(f"/api/v1/schools/{school.pk}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code
        == 304
    )


def test_two_lead_partner_staff_editing_the_same_version_the_second_gets_412(clients, world, update_url):
    first_staff = clients["lead_partner_staff"]
    second_staff = token_client(member(Role.LEAD_PARTNER_STAFF, lead_partner=world.zone.lead_partner))
    etag = first_staff.get(update_url)["ETag"]
    assert second_staff.get(update_url)["ETag"] == etag  # both read the same version

    first = first_staff.patch(update_url, {"narrative": "First edit."}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.content
    assert first["ETag"] == first_staff.get(update_url)["ETag"] != etag  # the new version's, to edit again
    second = second_staff.patch(update_url, {"narrative": "Second edit."}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412, second.content
    assert StatusUpdate.objects.get().narrative == "First edit."  # the first edit survives

    current = second_staff.get(update_url)["ETag"]
    again = second_staff.patch(update_url, {"narrative": "Second edit."}, format="json", HTTP_IF_MATCH=current)
    assert again.status_code == 200  # re-read, then the change goes through
    assert second_staff.patch(update_url, {"rating": "on_track"}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_a_foreign_etag_never_matches_a_write_and_a_gzip_weakened_one_does(clients, update_url):
    client = clients["lead_partner_staff"]
    etag = client.get(update_url)["ETag"]
    assert client.patch(update_url, {"narrative": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    assert client.patch(update_url, {"narrative": "x"}, format="json", HTTP_IF_MATCH='"a", "b"').status_code == 412
    assert StatusUpdate.objects.get().narrative == STATUS_UPDATE["narrative"]
    weakened = client.patch(update_url, {"narrative": "y"}, format="json", HTTP_IF_MATCH=f'"a", W/{etag}')
    assert weakened.status_code == 200  # W/ as gzip marks the same tag
    assert StatusUpdate.objects.get().narrative == "y"


def test_a_versioned_record_refuses_a_stale_if_match(clients, world):
    school = world.schools[0]
    url = f"/api/v1/schools/{school.pk}/"
    client = clients["state_lead"]
    stale = client.get(url)["ETag"]
    assert client.patch(url, {"enrollment": 610}, format="json", HTTP_IF_MATCH=stale).status_code == 200
    assert client.patch(url, {"enrollment": 620}, format="json", HTTP_IF_MATCH=stale).status_code == 412
    school.refresh_from_db()
    assert school.enrollment == 610


def test_a_delete_with_a_stale_if_match_is_refused_and_the_row_survives(clients, update_url):
    client = clients["lead_partner_staff"]
    stale = client.get(update_url)["ETag"]
    assert client.patch(update_url, {"narrative": "Edited meanwhile."}, format="json").status_code == 200
    assert client.delete(update_url, HTTP_IF_MATCH=stale).status_code == 412
    assert StatusUpdate.objects.filter(narrative="Edited meanwhile.").exists()
    assert client.delete(update_url, HTTP_IF_MATCH=client.get(update_url)["ETag"]).status_code == 204
    assert not StatusUpdate.objects.exists()


def test_required_mode_refuses_a_change_without_if_match_with_428(clients, update_url, settings):
    settings.API_REQUIRE_IF_MATCH = True
    client = clients["lead_partner_staff"]
    assert client.patch(update_url, {"narrative": "Blind."}, format="json").status_code == 428
    assert client.delete(update_url).status_code == 428
    assert StatusUpdate.objects.get().narrative == STATUS_UPDATE["narrative"]
    etag = client.get(update_url)["ETag"]
    assert client.patch(update_url, {"narrative": "Seen."}, format="json", HTTP_IF_MATCH=etag).status_code == 200
