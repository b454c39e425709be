"""The federal school directory's page (``/imports/new/ccd/``) and API (``POST /api/v1/imports/ccd-directory/``):
the same dry run → accept flow, permissions and problem details as every import."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from imports.models import ImportBatch
from schools.models import School
from tests.problems import field_errors

from .conftest import CCD_FILES, build_ccd_world, ccd_file, database_fingerprint, diff, upload

DIRECTORY = "/api/v1/imports/ccd-directory/"


@pytest.fixture(scope="module")
def world_builder():
    return build_ccd_world


@pytest.fixture
def api():
    return APIClient()


def files(school_year="2022-23", school=None, lea=None) -> dict:
    school_name, lea_name = CCD_FILES[school_year]
    return {
        "school_year": school_year,
        "school_file": upload(school_name, ccd_file(school_name) if school is None else school),
        "lea_file": upload(lea_name, ccd_file(lea_name) if lea is None else lea),
    }


def post(api, world, state=None, **parts):
    return api.post(DIRECTORY, {"state": (state or world.colorado).pk, **files(**parts)}, format="multipart")


def test_api_dry_run_then_apply(api, world):
    api.force_authenticate(world.users.lead)

    response = post(api, world)

    assert response.status_code == 201, response.content
    assert (response.data["kind"], response.data["school_year"], response.data["status"]) == (
        "ccd_directory",
        "2022-23",
        "dry_run",
    )
    assert response.data["summary"]["diff"] == {"status": 10, "not_added": 3}
    applied = api.post(f"/api/v1/imports/{response.data['id']}/apply/")
    assert applied.status_code == 200 and applied.data["status"] == "applied"
    assert set(School.objects.values_list("ccd_status", flat=True)) == {"open"}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"school": b"\x00\x01\x02binary"}, "The school file: This is not a CSV or Excel file"),
        ({"lea": b"nces_id,name\n0800010,Adams\n"}, "The LEA file has no column SCHOOL_YEAR"),
        ({"school": b""}, "The submitted file is empty."),
    ],
)
def test_a_bad_file_is_problem_json_never_a_server_error(api, world, parts, message):
    api.force_authenticate(world.users.lead)
    before = database_fingerprint()

    response = post(api, world, **parts)

    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert message in str(response.json())
    assert database_fingerprint() == before


def test_missing_parts_and_a_bad_school_year_are_field_errors(api, world):
    api.force_authenticate(world.users.lead)

    response = api.post(DIRECTORY, {"state": world.colorado.pk, "school_year": "2022-2024"}, format="multipart")

    assert response.status_code == 400
    errors = field_errors(response)
    assert set(errors) == {"school_year", "school_file", "lea_file"}


def test_row_errors_are_kept_on_the_dry_run_and_block_its_apply(api, world):
    api.force_authenticate(world.users.lead)
    other_state = ccd_file("ccd_sch_029_2223.csv").replace(b"2022-2023,08,COLORADO,CO", b"2022-2023,17,ILLINOIS,IL", 1)

    response = post(api, world, school=other_state)

    assert response.status_code == 201
    assert [error["column"] for error in response.data["summary"]["errors"]] == ["FIPST (school file)"]
    applied = api.post(f"/api/v1/imports/{response.data['id']}/apply/")
    assert applied.status_code == 400 and applied["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_who_does_not_manage_the_state_is_refused_before_the_files_are_read(api, world, role):
    api.force_authenticate(getattr(world.users, role))

    response = post(api, world, school=b"")

    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_another_states_lead_can_neither_upload_for_it_nor_see_or_apply_its_import(api, world):
    api.force_authenticate(world.users.lead)
    batch_id = post(api, world).data["id"]
    api.force_authenticate(world.users.illinois_lead)

    refused = post(api, world)

    assert refused.status_code == 400 and "state" in field_errors(refused)
    assert api.get(f"/api/v1/imports/{batch_id}/").status_code == 404
    assert api.post(f"/api/v1/imports/{batch_id}/apply/").status_code == 404


def test_the_page_previews_the_diff_by_kind_and_the_lead_accepts_it(client, world):
    client.force_login(world.users.lead)
    school_name, lea_name = CCD_FILES["2023-24"]
    form = {
        "scope": str(world.colorado.pk),
        "school_year": "2023-24",
        "school_file": upload(school_name, ccd_file(school_name)),
        "lea_file": upload(lea_name, ccd_file(lea_name)),
    }

    response = client.post(reverse("imports:new_directory"), form)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "Merged or moved to another district (1)" in page and "Re-graded (1)" in page
    assert "Accept these changes" in page
    assert diff(batch)["closed"] == {"School 080001000102"}
    client.post(reverse("imports:apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    assert School.objects.get(nces_id="080001000102").ccd_status == "closed"


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_the_page_is_refused_to_who_manages_no_state(client, world, role):
    client.force_login(getattr(world.users, role))

    assert client.get(reverse("imports:new_directory")).status_code == 403


def test_the_imports_list_offers_the_directory_to_state_staff_only(client, world):
    client.force_login(world.users.lead)
    assert reverse("imports:new_directory") in client.get(reverse("imports:list")).content.decode()

    client.force_login(world.users.partner)
    assert reverse("imports:new_directory") not in client.get(reverse("imports:list")).content.decode()


def test_the_spreadsheet_form_offers_no_directory_kind_and_it_has_no_template(client, world):
    client.force_login(world.users.lead)

    assert "ccd_directory" not in client.get(reverse("imports:new")).content.decode()
    assert client.get(reverse("imports:template", args=["ccd_directory"])).status_code == 404
