"""The imports API: upload for a dry run, apply, list and download, scoped like the pages."""

import pytest
from rest_framework.test import APIClient

from accountability.models import Measurement
from imports.models import ImportBatch
from tests.problems import comparable, field_errors

from .conftest import corpus, database_fingerprint, upload


@pytest.fixture
def api():
    return APIClient()


# Paths, not route names: the same whether the imports router is mounted alone or merged into the API router.
IMPORTS = "/api/v1/imports/"


def results(response) -> list:
    """The listed rows, whether or not the API paginates."""
    return response.data["results"] if isinstance(response.data, dict) else response.data


def post_file(api, world, name, **extra):
    data = {"kind": "measurements", "state": world.colorado.pk, "file": upload(name, corpus(name)), **extra}
    return api.post(IMPORTS, data, format="multipart")


def test_upload_then_apply(api, world):
    api.force_authenticate(world.users.lead)

    response = post_file(api, world, "measurements_valid.csv")

    assert response.status_code == 201
    assert response.data["status"] == "dry_run"
    assert response.data["summary"]["counts"] == {"create": 6, "update": 0, "skip": 0, "errors": 0}
    response = api.post(f"{IMPORTS}{response.data['id']}/apply/")
    assert response.status_code == 200 and response.data["status"] == "applied"
    assert Measurement.objects.count() == 6


def test_row_errors_are_listed_and_block_the_apply(api, world):
    api.force_authenticate(world.users.lead)
    before = database_fingerprint()

    response = post_file(api, world, "measurements_mixed.csv")

    assert response.status_code == 201
    assert {"row": 7, "column": "period", "message": "“5” is not one of: 1, 2, 3, 4."} in response.data["summary"][
        "errors"
    ]
    response = api.post(f"{IMPORTS}{response.data['id']}/apply/")
    assert response.status_code == 400
    assert database_fingerprint() == before


def test_an_unreadable_file_is_a_bad_request(api, world):
    api.force_authenticate(world.users.lead)

    response = post_file(api, world, "binary_junk.csv")

    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "import_failed" and "not a CSV or Excel file" in problem["errors"][0]["message"]
    kept = api.get(problem["import"]["url"])  # the failed import is kept, to read again
    assert kept.status_code == 200 and kept.data["status"] == "failed"
    assert kept.data["summary"]["errors"][0]["message"] == problem["errors"][0]["message"]


def test_another_states_id_is_refused_like_a_missing_one(api, world):
    """Finding 8: Illinois's state id must not answer differently from an id that does not exist."""
    api.force_authenticate(world.users.lead)
    missing = max(world.colorado.pk, world.illinois.pk) + 1000

    foreign = post_file(api, world, "measurements_valid.csv", state=world.illinois.pk)
    absent = post_file(api, world, "measurements_valid.csv", state=missing)

    assert foreign.status_code == absent.status_code == 400
    named = {world.illinois.pk: foreign, missing: absent}  # each answer with the id it names made alike
    assert len({comparable(answer).replace(f'\\"{pk}\\"'.encode(), b"ID") for pk, answer in named.items()}) == 1
    assert not ImportBatch.objects.exists()


def test_a_viewer_is_refused_before_the_upload_is_checked(api, world):
    """Authorization before validation: a viewer learns nothing about the state or the file."""
    api.force_authenticate(world.users.viewer)

    response = post_file(api, world, "measurements_valid.csv", state=world.illinois.pk)

    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("state", ["foreign", "missing"])
def test_the_state_filter_offers_only_visible_states(api, world, state):
    """``?state=`` of another tenant is "Select a valid choice" exactly like a missing id."""
    api.force_authenticate(world.users.lead)
    state_id = world.illinois.pk if state == "foreign" else max(world.colorado.pk, world.illinois.pk) + 1000

    response = api.get(IMPORTS, {"state": state_id})

    assert response.status_code == 400
    assert field_errors(response) == {
        "state": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_the_browsable_filter_form_lists_only_visible_states(api, world):
    api.force_authenticate(world.users.lead)

    page = api.get(IMPORTS, HTTP_ACCEPT="text/html").content.decode()

    assert f'value="{world.colorado.pk}"' in page and "Colorado" in page
    assert f'value="{world.illinois.pk}"' not in page and "Illinois" not in page


def test_list_retrieve_and_download_are_scoped(api, world):
    api.force_authenticate(world.users.lead)
    batch_id = post_file(api, world, "measurements_valid.csv").data["id"]

    api.force_authenticate(world.users.illinois_lead)
    assert results(api.get(IMPORTS)) == []
    assert api.get(f"{IMPORTS}{batch_id}/").status_code == 404
    assert api.get(f"{IMPORTS}{batch_id}/file/").status_code == 404
    assert api.post(f"{IMPORTS}{batch_id}/apply/").status_code == 404

    api.force_authenticate(world.users.viewer)
    assert [row["id"] for row in results(api.get(IMPORTS))] == [batch_id]
    response = api.get(f"{IMPORTS}{batch_id}/file/")
    assert b"".join(response.streaming_content) == corpus("measurements_valid.csv")
    assert api.post(f"{IMPORTS}{batch_id}/apply/").status_code == 403
    assert not Measurement.objects.exists()


def test_a_kept_file_gone_from_storage_is_a_404_problem_not_a_500(api, world):
    """The import's row outlived its file (storage restored from an older backup, say)."""
    api.force_authenticate(world.users.lead)
    batch = ImportBatch.objects.get(pk=post_file(api, world, "measurements_valid.csv").data["id"])
    batch.file.storage.delete(batch.file.name)

    response = api.get(f"{IMPORTS}{batch.pk}/file/")

    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_lead_partner_staff_upload_for_their_lead_partner(api, world):
    api.force_authenticate(world.users.partner)

    refused = post_file(api, world, "measurements_valid.csv")
    response = post_file(api, world, "measurements_valid.csv", lead_partner=world.zone.lead_partner.pk)

    assert refused.status_code == 400
    assert response.status_code == 201 and response.data["summary"]["counts"]["create"] == 6
