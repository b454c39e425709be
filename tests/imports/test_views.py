"""Import pages per role: upload → preview with errors → apply; past imports; original file."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from accountability.models import Measurement
from imports.models import ImportBatch
from imports.reading import MAX_UPLOAD_BYTES
from tests.factories import ImportBatchFactory

from .conftest import corpus, database_fingerprint, upload


def post_file(client, name, *, kind="measurements", scope=None, world=None, data=None):
    return client.post(
        reverse("imports:new"),
        {"kind": kind, "scope": scope or str(world.colorado.pk), "file": upload(name, data or corpus(name))},
    )


def test_state_lead_uploads_a_messy_file_fixes_it_and_applies_it(client, world):
    client.force_login(world.users.lead)
    assert client.get(reverse("imports:new")).status_code == 200

    response = post_file(client, "measurements_mixed.csv", world=world)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "130 is out of range for ELA proficiency" in page and "Unknown metric “reading”" in page
    assert "Apply this import" not in page
    assert client.post(reverse("imports:apply", args=[batch.pk])).status_code == 302
    assert Measurement.objects.count() == 0

    response = post_file(client, "measurements_valid.csv", world=world)
    fixed = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert "Apply this import" in client.get(response.url).content.decode()
    response = client.post(reverse("imports:apply", args=[fixed.pk]), follow=True)

    assert f"Import #{fixed.pk} applied." in response.content.decode()
    assert Measurement.objects.count() == 6
    assert Measurement.objects.first().history.first().history_user == world.users.lead


def test_the_original_file_can_be_downloaded_again(client, world):
    client.force_login(world.users.lead)
    post_file(client, "measurements_cp1252.csv", world=world)
    batch = ImportBatch.objects.get()

    client.force_login(world.users.viewer)  # state staff read the state's imports
    response = client.get(reverse("imports:file", args=[batch.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == corpus("measurements_cp1252.csv")
    assert 'attachment; filename="measurements_cp1252.csv"' in response["Content-Disposition"]


def test_list_shows_the_imports_of_the_users_scope_only(client, world):
    client.force_login(world.users.lead)
    post_file(client, "measurements_valid.csv", world=world)
    client.force_login(world.users.illinois_lead)
    post_file(client, "header_only.csv", world=world, scope=str(world.illinois.pk))

    client.force_login(world.users.viewer)
    page = client.get(reverse("imports:list")).content.decode()

    assert "measurements_valid.csv" in page and "header_only.csv" not in page
    assert "Import a spreadsheet" not in page  # viewers read, they do not import


@pytest.mark.parametrize("view", ["imports:detail", "imports:file"])
def test_another_states_import_is_not_found(client, world, view):
    client.force_login(world.users.lead)
    post_file(client, "measurements_valid.csv", world=world)
    batch = ImportBatch.objects.get()

    client.force_login(world.users.illinois_lead)

    assert client.get(reverse(view, args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:apply", args=[batch.pk])).status_code == 404


def test_only_the_uploader_applies_an_import(client, world):
    client.force_login(world.users.lead)
    post_file(client, "measurements_valid.csv", world=world)
    batch = ImportBatch.objects.get()
    before = database_fingerprint()

    client.force_login(world.users.second_lead)  # sees the state's imports, but did not upload this one

    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 200
    assert client.post(reverse("imports:apply", args=[batch.pk])).status_code == 403
    assert database_fingerprint() == before


@pytest.mark.parametrize("role", ["viewer", "illinois_lead"])
def test_users_without_the_scope_cannot_upload_for_it(client, world, role):
    client.force_login(getattr(world.users, role))

    response = post_file(client, "measurements_valid.csv", world=world)

    assert response.status_code == (403 if role == "viewer" else 200)
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused_by_the_form(client, world):
    client.force_login(world.users.lead)

    response = post_file(client, "big.csv", world=world, data=b"x" * (MAX_UPLOAD_BYTES + 1))

    assert "the limit is 5 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, world):
    assert client.get(reverse("imports:list")).status_code == 302
    assert client.get(reverse("imports:new")).status_code == 302


def test_a_file_is_stored_and_served_by_what_it_holds_not_by_its_name(client, world):
    client.force_login(world.users.lead)
    post_file(client, "report.html", world=world, data=b"<script>alert(1)</script>\n")
    batch = ImportBatch.objects.get()

    response = client.get(reverse("imports:file", args=[batch.pk]))

    assert batch.file.name.endswith(".csv")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_lead_partner_staff_see_their_lead_partners_imports_only(client, world):
    mine = ImportBatchFactory(state=world.colorado, lead_partner=world.zone.lead_partner)
    others = ImportBatchFactory(state=world.colorado, lead_partner=world.other_zone.lead_partner)
    states = ImportBatchFactory(state=world.colorado)
    client.force_login(world.users.partner)

    assert client.get(reverse("imports:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("imports:detail", args=[others.pk])).status_code == 404
    assert client.get(reverse("imports:detail", args=[states.pk])).status_code == 404


def test_uploaded_files_are_private_and_downloaded_only_through_the_checked_views(client, world, settings):
    """Stored outside MEDIA_ROOT under a random folder; the page and the API answer no cache may keep them."""
    client.force_login(world.users.lead)
    post_file(client, "measurements_valid.csv", world=world)
    batch = ImportBatch.objects.get()
    assert re.fullmatch(r"imports/[0-9a-f]{32}/upload\.csv", batch.file.name)
    path = Path(batch.file.path)
    assert path.is_relative_to(settings.PRIVATE_FILES_ROOT) and not path.is_relative_to(settings.MEDIA_ROOT)

    for url in (reverse("imports:file", args=[batch.pk]), f"/api/v1/imports/{batch.pk}/file/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/octet-stream"
