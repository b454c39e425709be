"""Report files in an S3-compatible object store (``OBJECT_STORAGE_BUCKET``): private objects, complete
or absent, never overwritten, without URLs, and streamed to the reader only after the view's check."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports.models import ReportRun
from tests.objectstore import object_store  # noqa: F401 (fixture)
from web.files import PrivateS3Storage

PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


@pytest.fixture
def s3(object_store, monkeypatch):  # noqa: F811 (fixture)
    """Report files go to the object store, as in a process started with the OBJECT_STORAGE_* variables."""
    storage = PrivateS3Storage(**object_store.storage_options)
    monkeypatch.setattr(ReportRun._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def brief(colorado, s3):
    run, _ = ReportRun.prepare(ReportRun.Kind.COMMISSIONER_BRIEF, state=colorado.state, period="2010-12").submit()
    run.mark_done("brief-CO-2010-12.pdf", ContentFile(b"%PDF-1.7 Colorado's brief"))
    return run


def test_a_report_file_is_a_private_object_under_an_unguessable_key(brief, object_store, file_roots):  # noqa: F811
    assert object_store.keys() == [brief.file.name]
    assert not list((file_roots / "private").rglob("*.pdf"))  # nothing on this node's disk
    acl = object_store.client().get_object_acl(Bucket=object_store.bucket, Key=brief.file.name)
    grantees = [grant["Grantee"].get("URI") for grant in acl["Grants"]]
    assert not set(grantees) & set(PUBLIC_GRANTEES)
    with pytest.raises(ValueError, match="no URL"):
        brief.file.url  # noqa: B018 (no presigned or public link is ever made)


def test_a_second_file_of_the_same_name_never_replaces_the_first(s3, object_store):  # noqa: F811
    first = s3.save("reports/2010-12/fixed/brief.pdf", ContentFile(b"first"))
    second = s3.save("reports/2010-12/fixed/brief.pdf", ContentFile(b"second"))
    assert first != second
    with s3.open(first, "rb") as kept:
        assert kept.read() == b"first"


def test_the_reader_downloads_the_object_streamed_through_the_app(client, people, brief):
    url = reverse("reports:run_download", kwargs={"reportrun_pk": brief.pk})
    client.force_login(people["ohio_lead"])
    assert client.get(url).status_code == 404  # the check comes first: another state's user gets nothing
    client.force_login(people["commissioner"])
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == b"%PDF-1.7 Colorado's brief"
    assert response["Cache-Control"] == "private, no-store"


def test_an_object_gone_from_the_store_is_a_404_not_a_500(client, people, brief, object_store):  # noqa: F811
    object_store.client().delete_object(Bucket=object_store.bucket, Key=brief.file.name)
    client.force_login(people["commissioner"])
    assert client.get(reverse("reports:run_download", kwargs={"reportrun_pk": brief.pk})).status_code == 404


def test_the_store_down_is_an_os_error_as_a_full_disk_is(s3, object_store):  # noqa: F811
    """Report runs retry (or explain) an ``OSError``; the object store's failures are raised as one."""
    kept = s3.save("reports/2010-12/kept/brief.pdf", ContentFile(b"kept"))
    object_store.process.kill()
    object_store.process.wait(10)
    with pytest.raises(OSError, match="unreachable"):
        s3.save("reports/2010-12/new/brief.pdf", ContentFile(b"new"))
    with pytest.raises(OSError, match="unreachable"):
        s3.open(kept, "rb")


def test_a_download_while_the_store_is_down_is_a_503_to_retry_not_a_500(client, people, brief, object_store):  # noqa: F811
    object_store.process.kill()
    object_store.process.wait(10)
    client.force_login(people["commissioner"])
    response = client.get(reverse("reports:run_download", kwargs={"reportrun_pk": brief.pk}))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"Temporarily unavailable" in response.content and b"try the download again" in response.content
