"""Private files (report files, uploaded imports): stored where no web server serves them, under
unguessable names, and handed out only by views that checked who asks.

Models reach the storage through the ``"private"`` alias of ``STORAGES`` (``private_storage``), so
an object store can replace the local folder later by changing the settings only; there, too,
objects must be private (no public ACL) and reach users only through ``private_file_response``.
"""

import mimetypes
import os
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse
from django.utils.html import format_html


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
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
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
