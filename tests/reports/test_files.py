"""Report files are never served by URL: private storage, unguessable names, permission-checked downloads."""

import importlib
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import clear_url_caches, reverse

import config.urls
from reports.models import ReportRun
from web.files import move_to_private_storage

API = "/api/v1/report-runs/"


@pytest.fixture
def brief(colorado):
    run, _ = ReportRun.prepare(ReportRun.Kind.COMMISSIONER_BRIEF, state=colorado.state, period="2010-12").submit()
    run.mark_done("brief-CO-2010-12.pdf", ContentFile(b"%PDF-1.7 Colorado's brief"))
    return run


@pytest.fixture
def debug_urls(settings):
    """The URLconf as ``make run`` builds it (DEBUG on), where media files used to be served."""
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def downloads(run):
    return reverse("reports:run_download", kwargs={"reportrun_pk": run.pk}), f"{API}{run.pk}/download/"


def test_no_url_serves_report_files_even_in_debug(client, brief, debug_urls):
    assert client.get(f"/media/{brief.file.name}").status_code == 404
    assert client.get("/media/reports/2010-12/brief-CO-2010-12.pdf").status_code == 404


def test_report_files_are_stored_outside_media_under_unguessable_names(brief, colorado, settings):
    assert re.fullmatch(r"reports/2010-12/[0-9a-f]{32}/brief-CO-2010-12\.pdf", brief.file.name)
    path = Path(brief.file.path)
    assert path.is_relative_to(settings.PRIVATE_FILES_ROOT) and not path.is_relative_to(settings.MEDIA_ROOT)
    again, _ = ReportRun.prepare(brief.kind, state=colorado.state, period="2010-12").submit(force=True)
    again.mark_done("brief-CO-2010-12.pdf", ContentFile(b"%PDF-1.7 again"))
    assert again.file.name != brief.file.name  # the same report's next file cannot be guessed from this one
    with pytest.raises(ValueError, match="no URL"):
        brief.file.url  # noqa: B018 (the storage refuses to make one)


@pytest.mark.parametrize("surface", ["page", "api"])
def test_the_owner_downloads_with_private_headers(client, people, brief, surface):
    client.force_login(people["commissioner"])
    page, api = downloads(brief)
    response = client.get(page if surface == "page" else api)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 Colorado's brief"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="brief-CO-2010-12.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_states_user_and_anonymous_get_no_file(client, people, brief):
    page, api = downloads(brief)
    missing = ReportRun(pk=brief.pk + 1000)
    assert client.get(page).status_code == 302 and "/accounts/login/" in client.get(page)["Location"]
    assert client.get(api).status_code in (401, 403)
    client.force_login(people["ohio_lead"])
    assert [client.get(url).status_code for url in downloads(brief)] == [404, 404]
    assert [client.get(url).status_code for url in downloads(missing)] == [404, 404]  # alike: nothing to tell


def test_files_stored_by_earlier_versions_move_to_private_storage_and_still_download(client, people, brief):
    """The data migration: a run whose file lies under MEDIA_ROOT at its old, predictable name."""
    old_name = "reports/2010-12/brief-CO-2010-12.pdf"
    storages["default"].save(old_name, ContentFile(b"%PDF-1.7 stored long ago"))
    ReportRun.objects.filter(pk=brief.pk).update(file=old_name)

    assert move_to_private_storage(ReportRun) == 1
    brief.refresh_from_db()
    assert re.fullmatch(r"reports/2010-12/[0-9a-f]{32}/brief-CO-2010-12\.pdf", brief.file.name)
    assert not storages["default"].exists(old_name)
    client.force_login(people["commissioner"])
    response = client.get(downloads(brief)[0])
    assert b"".join(response.streaming_content) == b"%PDF-1.7 stored long ago"
    assert move_to_private_storage(ReportRun) == 0  # run again: nothing left to move


def test_the_commissioners_email_links_to_the_permission_checked_page(colorado, settings, mailoutbox):
    from reports import tasks

    run, _ = ReportRun.prepare(ReportRun.Kind.COMMISSIONER_BRIEF, state=colorado.state, period="2010-12").submit()
    tasks.generate_report.delay(run.pk)
    tasks.email_brief_link.delay(run.pk)
    run.refresh_from_db()
    (message,) = mailoutbox
    assert settings.SITE_URL + run.get_absolute_url() in message.body
    assert run.file and "/media/" not in message.body and run.file.name not in message.body


def test_the_admin_links_to_the_checked_download_not_to_a_file_url(admin_client, brief):
    page = admin_client.get(reverse("admin:reports_reportrun_change", args=[brief.pk]))
    assert page.status_code == 200
    assert f'<a href="{brief.get_download_url()}">brief-CO-2010-12.pdf</a>' in page.text
    assert 'type="file"' not in page.text and brief.file.name not in page.text
