"""Helpers of the OpenRosa tests: a client that talks like ODK Collect, and filled instances.

``Collector`` sends what ODK Collect sends: HTTP Basic credentials, ``X-OpenRosa-Version:
1.0`` and the instance as the ``xml_submission_file`` part of a multipart body. ``filled``
fills the primary instance of the XForm the server served, as Collect does, so the tests
answer the real form rather than a hand-written copy of it.
"""

from __future__ import annotations

import base64
import copy
import io
import uuid
from dataclasses import dataclass
from xml.etree import ElementTree

from defusedxml.ElementTree import fromstring
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response

XFORMS = "{http://www.w3.org/2002/xforms}"
ORX = "http://openrosa.org/xforms"
LIST = "{http://openrosa.org/xforms/xformsList}"
RESPONSE = "{http://openrosa.org/http/response}"
PROTOCOL = {"X-OpenRosa-Version": "1.0"}
RATING_CODES = [*(f"tc{i}" for i in range(1, 5)), *(f"tt{i}" for i in range(1, 6)),
                *(f"cc{i}" for i in range(1, 7)), *(f"kq{i}" for i in range(1, 4)),
                *(f"pa{i}" for i in range(1, 5))]


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


@dataclass
class Collector:
    """A test client with a collector's credentials, at one campaign and unit's server."""

    client: FlaskClient
    base: str
    username: str
    password: str

    @property
    def auth(self) -> dict[str, str]:
        return basic(self.username, self.password)

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs):
        return self.client.get(self.base + path,
                               headers={**PROTOCOL, **self.auth, **(headers or {})}, **kwargs)

    def head(self, path: str = "/submission", headers: dict[str, str] | None = None):
        return self.client.head(self.base + path,
                                headers={**PROTOCOL, **self.auth, **(headers or {})})

    def submit(self, xml: str | bytes | None, *, headers: dict[str, str] | None = None,
               extra: dict | None = None, field: str = "xml_submission_file", **kwargs):
        """POST the instance as ODK Collect does (multipart, ``xml_submission_file``)."""
        data = dict(extra or {})
        if xml is not None:
            body = xml.encode("utf-8") if isinstance(xml, str) else xml
            data[field] = (io.BytesIO(body), "submission.xml", "text/xml")
        return self.client.post(self.base + "/submission", data=data,
                                content_type="multipart/form-data",
                                headers={**PROTOCOL, **self.auth, **(headers or {})}, **kwargs)

    def post_raw(self, body: bytes | str, content_type: str,
                 headers: dict[str, str] | None = None):
        return self.client.post(self.base + "/submission", data=body,
                                content_type=content_type,
                                headers={**PROTOCOL, **self.auth, **(headers or {})})

    def xform(self) -> str:
        """The XForm as the form list's download address serves it."""
        listing = fromstring(self.get("/formList").data)
        url = listing.find(f"{LIST}xform/{LIST}downloadUrl").text
        path = url.split(self.base, 1)[1]
        reply = self.get(path)
        assert reply.status_code == 200, reply.data
        return reply.get_data(as_text=True)


def primary_instance(xform: str) -> ElementTree.Element:
    """The form's main instance (the first ``<instance>`` of the model)."""
    root = fromstring(xform)
    instance = root.find(f".//{XFORMS}model/{XFORMS}instance")
    return next(iter(instance))


def filled(xform: str, answers: dict[str, str], instance_id: str | None = None,
           *, meta_namespace: bool = False) -> str:
    """The instance ODK Collect would send for ``answers`` (item or profile code → value).

    Collect writes the primary instance without the XForms namespace, fills the values and
    the instanceID (``uuid:…``); ``meta_namespace`` writes ``orx:meta/orx:instanceID`` as
    some clients (and ODK Central's test data) do.
    """
    template = copy.deepcopy(primary_instance(xform))
    for element in template.iter():
        element.tag = element.tag.replace(XFORMS, "")
    by_name = {element.tag: element for element in template.iter()}
    for code, value in answers.items():
        by_name[code].text = value
    meta = template.find("meta")
    identifier = instance_id or f"uuid:{uuid.uuid4()}"
    if meta_namespace:
        template.remove(meta)
        meta = ElementTree.SubElement(template, f"{{{ORX}}}meta")
        ElementTree.SubElement(meta, f"{{{ORX}}}instanceID").text = identifier
    else:
        meta.find("instanceID").text = identifier
    return ElementTree.tostring(template, encoding="unicode")


def full_answers(value: str = "4", **changes: str) -> dict[str, str]:
    """Every rating item answered ``value``, plus the required profile answer."""
    answers = dict.fromkeys(RATING_CODES, value)
    answers["respondent_type"] = "ca_nhan"
    answers.update(changes)
    return answers


def message_of(reply) -> str:
    """The text of an OpenRosa reply's message."""
    root = fromstring(reply.data)
    assert root.tag == f"{RESPONSE}OpenRosaResponse", reply.data
    return root.find(f"{RESPONSE}message").text or ""


def response_count() -> int:
    db.session.rollback()  # read what the requests committed
    return db.session.scalar(select(func.count()).select_from(Response))


def stored_responses() -> list[Response]:
    db.session.rollback()
    return list(db.session.scalars(select(Response).order_by(Response.id)))
