"""Uploaded files leave the server only through a view that checks the same rule as the page.

MEDIA_URL is never served directly (not even under DEBUG): a sealed bid's proposal or an
assessor's evidence sits at a guessable path, and a plain static route would hand it to anyone.
"""

from __future__ import annotations

from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from core.permissions import Decision


def protected_file_response(field_file: FieldFile | None, decision: Decision) -> FileResponse:
    """The file as a download when the decision allows it; 403 with its reason otherwise."""
    decision.require()
    if not field_file:
        raise Http404(_("There is no file."))
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(handle, as_attachment=True, filename=PurePath(field_file.name or "").name)
