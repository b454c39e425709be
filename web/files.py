"""Private files (report files, uploaded imports): stored where no web server serves them, under
unguessable names, and handed out only by views that checked who asks.

Writes are atomic: a file appears under its name complete or not at all (see
``PrivateFileSystemStorage._save``), so a full or read-only disk leaves no zero-byte or partial
file behind, and a retry adds no file.

Models reach the storage through the ``"private"`` alias of ``STORAGES`` (``private_storage``): the
local folder (``PrivateFileSystemStorage``) by default, an S3-compatible object store shared by every
web and worker node when ``OBJECT_STORAGE_BUCKET`` is set (``PrivateS3Storage``, config/settings.py).
Either way a file has no URL: it reaches a user only through ``private_file_response``, streamed by
the app after the view's permission check (no presigned links that outlive the check or leak).
"""

import contextlib
import errno
import mimetypes
import os
import tempfile
import uuid
from pathlib import PurePath

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404
from django.utils.html import format_html
from rest_framework import exceptions
from storages.backends.s3 import S3Storage


class PrivateFileSystemStorage(FileSystemStorage):
    """Local files under ``PRIVATE_FILES_ROOT`` (outside ``MEDIA_ROOT``), without URLs."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: they are downloaded through permission-checked views.")

    def _save(self, name, content):
        """Write to a temporary file in the target folder, flush it to disk, then link it under its
        name (atomic, and never over an existing file); on any error the temporary goes and the
        error (e.g. ``OSError(ENOSPC)``, ``EROFS``) is raised with nothing left behind."""
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        created = not os.path.isdir(directory)
        os.makedirs(directory, mode=self.directory_permissions_mode or 0o777, exist_ok=True)
        try:
            temporary = self._write_temporary(directory, content)
        except BaseException:
            if created:
                with contextlib.suppress(OSError):
                    os.rmdir(directory)  # the unguessable folder made for this file, if still empty
            raise
        try:
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.remove(temporary)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        self._ensure_location_group_id(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    @staticmethod
    def _write_temporary(directory: str, content) -> str:
        """``content`` in a hidden temporary file of ``directory``, on disk (fsync); removed on error."""
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                for chunk in content.chunks():
                    file.write(chunk.encode() if isinstance(chunk, str) else chunk)
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            os.remove(temporary)
            raise
        return temporary


@contextlib.contextmanager
def object_store_errors(name: str):
    """The object store's failures as the local disk's (``OSError``), so callers handle one kind: a
    missing object is ``FileNotFoundError``, a refusal ``PermissionError``, anything else (store down,
    timeout, 5xx) a plain ``OSError`` that report runs and imports retry or explain."""
    try:
        yield
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.response.get("Error", {}).get("Code", "")
        if status == 404:
            raise FileNotFoundError(errno.ENOENT, f"No such object in the object store: {name}") from error
        if status == 403:
            raise PermissionError(errno.EACCES, f"The object store refused access ({code}): {name}") from error
        raise OSError(errno.EIO, f"The object store answered {status} {code}: {name}") from error
    except BotoCoreError as error:
        raise OSError(errno.EIO, f"The object store is unreachable: {error}") from error


class PrivateS3Storage(S3Storage):
    """Objects in a private bucket (``default_acl="private"``, no public URL), never overwritten.

    An object appears under its key only once its upload is complete (a single PUT, or a multipart
    upload's final step), so no node ever reads half a file, as with the local folder's link.
    """

    default_acl = "private"
    file_overwrite = False
    querystring_auth = True

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no URL: they are downloaded through permission-checked views.")

    def _open(self, name, mode="rb"):
        with object_store_errors(name):
            opened = super()._open(name, mode)
            if "r" in mode:
                opened.file  # noqa: B018 (fetch it now, so a failure is raised here as an OSError)
            return opened

    def _save(self, name, content):
        with object_store_errors(name):
            return super()._save(name, content)

    def exists(self, name):
        with object_store_errors(name):
            return super().exists(name)

    def delete(self, name):
        with object_store_errors(name):
            return super().delete(name)


class StorageUnavailable(exceptions.APIException):
    """The file store cannot be reached: a 503 to retry (the API's problem JSON, the site's 503 page
    through ``web.errors.UnavailableMiddleware``), never a 500."""

    status_code = 503
    default_code = "storage_unavailable"
    default_detail = "The file store is not reachable just now: try the download again in a minute."
    wait = 60  # seconds: the Retry-After of the 503 (``web.problems`` reads ``wait``)


def private_storage():
    """The storage of files only permission-checked views hand out (the ``private`` alias)."""
    return storages["private"]


def unguessable_name(folder: str, filename: str) -> str:
    """``folder/<random>/filename``: the readable file name stays, the path cannot be guessed."""
    return f"{folder}/{uuid.uuid4().hex}/{PurePath(filename).name}"


def private_file_response(field_file, filename: str, content_type: str = "") -> FileResponse:
    """A stored file as a download no cache keeps and no browser reinterprets.

    Without ``content_type``, the type follows the stored name, which the app chose (``filename``
    may be the user's).
    """
    content_type = content_type or mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    try:
        opened = field_file.open("rb")
    except FileNotFoundError as error:  # the row outlived its file (storage restored from another backup)
        raise Http404("The stored file is no longer available.") from error
    except OSError as error:  # the store is down or timed out (``object_store_errors``)
        raise StorageUnavailable() from error
    response = FileResponse(opened, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_link(field_file, download_url) -> str:
    """A private file in the admin: a link to its permission-checked download view (it has no storage URL).

    ``download_url`` is called only when there is a file (an unsaved row has no view to link to).
    """
    return format_html('<a href="{}">{}</a>', download_url(), PurePath(field_file.name).name) if field_file else "—"


def move_to_private_storage(model) -> int:
    """Move the ``file`` of every row stored by earlier versions under ``MEDIA_ROOT`` (web-served,
    predictable names) into private storage under an unguessable name; the row then opens the new
    one. For data migrations: rows already moved are left as they are. Returns how many moved."""
    public, private = storages["default"], private_storage()
    moved = 0
    for pk, name in model._base_manager.exclude(file="").values_list("pk", "file"):
        if private.exists(name) or not public.exists(name):
            continue
        with public.open(name, "rb") as content:
            new_name = private.save(unguessable_name(str(PurePath(name).parent), name), content)
        model._base_manager.filter(pk=pk).update(file=new_name)
        public.delete(name)
        moved += 1
    return moved
