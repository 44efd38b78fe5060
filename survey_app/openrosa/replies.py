"""OpenRosa XML documents: the message of a submission reply, the form list, the manifest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from flask import Response, current_app

RESPONSE_NAMESPACE = "http://openrosa.org/http/response"
FORM_LIST_NAMESPACE = "http://openrosa.org/xforms/xformsList"
MANIFEST_NAMESPACE = "http://openrosa.org/xforms/xformsManifest"
XML_TYPE = "text/xml; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def xml_reply(body: str, status: int = 200) -> Response:
    return Response(body, status=status, content_type=XML_TYPE)


def message(text: str, status: int, *, error: bool = False) -> Response:
    """An ``OpenRosaResponse`` with one message; ODK Collect shows it to the collector."""
    nature = ' nature="error"' if error else ""
    return xml_reply(f'{DECLARATION}<OpenRosaResponse xmlns="{RESPONSE_NAMESPACE}" items="0">'
                     f"<message{nature}>{escape(text)}</message></OpenRosaResponse>\n", status)


@dataclass(frozen=True)
class ListedForm:
    """One ``<xform>`` of a form list."""

    form_id: str
    name: str
    version: str
    md5: str
    description: str
    download_url: str
    manifest_url: str


def form_list(forms: Iterable[ListedForm]) -> Response:
    """The OpenRosa form list (``xformsList``)."""
    entries = "".join(
        f"<xform><formID>{escape(form.form_id)}</formID><name>{escape(form.name)}</name>"
        f"<version>{escape(form.version)}</version><hash>md5:{form.md5}</hash>"
        f"<descriptionText>{escape(form.description)}</descriptionText>"
        f"<downloadUrl>{escape(form.download_url)}</downloadUrl>"
        f"<manifestUrl>{escape(form.manifest_url)}</manifestUrl></xform>"
        for form in forms)
    return xml_reply(f'{DECLARATION}<xforms xmlns="{FORM_LIST_NAMESPACE}">{entries}</xforms>\n')


def empty_manifest() -> Response:
    """The forms have no media files: their manifest lists nothing."""
    return xml_reply(f'{DECLARATION}<manifest xmlns="{MANIFEST_NAMESPACE}"></manifest>\n')


def protocol_headers(response: Response) -> Response:
    """The headers every OpenRosa reply carries, errors included."""
    response.headers["X-OpenRosa-Version"] = "1.0"
    response.headers["X-OpenRosa-Accept-Content-Length"] = str(
        int(current_app.config["OPENROSA_MAX_BODY"]))
    response.headers.setdefault("Content-Language", "vi")
    return response
