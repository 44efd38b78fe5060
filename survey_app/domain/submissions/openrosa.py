"""ODK Collect and KoboCollect (OpenRosa 1.0): the form served for a campaign and unit, and
the instances received from them, stored through the same submission service as the web form.

- **The form** is the campaign's instrument with the campaign's optional blocks, converted to
  an XForm by pyxform (``questionnaires.xlsform.xform_of``): ``<data id="CODE"
  version="N">``, one element per group and item code, ``meta/instanceID``. It is made once
  per process and instrument version (published versions never change).
- **An instance** is read with defusedxml: a DTD, an entity declaration or an external
  reference is refused before anything is expanded. The root's ``id`` and ``version`` must be
  the form's; each answer is read back to its code ("NA" is "Không áp dụng", stored 0).
- **instanceID is the submission key** (``odk:`` + instanceID, unique like every key). The
  same instanceID with the same XML, byte for byte, at the same campaign and unit returns the
  response already stored (a phone retrying after a lost reply); other XML is a conflict.
- **Edits** (``meta/deprecatedID``) and encrypted instances are refused, with a reason.
- Stored as channel ``odk`` with the collector as ``entered_by`` (audited), like the web form
  (validation, idempotency); a response rating too few items is kept as invalid, as a paper
  sheet is, since the interview cannot be asked again. The burst rules do not apply: they
  count per counter and per citizen's network address, and a tablet sends a day's interviews
  at once by design.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeXML
from defusedxml import DefusedXmlException
from sqlalchemy import exists, select

from questionnaires import NOT_APPLICABLE, Instrument

from ...extensions import db
from ...models import Campaign, CampaignState, CampaignUnit, Channel, Unit, User
from ...support.text import clean_text
from .public_survey import Survey
from .responses import COMMENT, Submission
from .submissions import Accepted, SubmissionConflict, SubmissionRefused, SurveyClosed, accept

#: Prefix of the submission keys of ODK instances (the key column holds 64 characters).
KEY_PREFIX = "odk:"
MAX_INSTANCE_ID = 64 - len(KEY_PREFIX)
#: What an instanceID may hold: ODK Collect and Enketo send "uuid:" and a UUID.
_INSTANCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]*$")
#: An answer is a short code; anything much longer is not one of the form's values.
MAX_VALUE_LENGTH = 40
ENCRYPTED_NAMESPACE = "http://www.opendatakit.org/xforms/encrypted"
ORX_NAMESPACE = "http://openrosa.org/xforms"
#: Children of ``meta`` that ODK clients may add and that store nothing.
_META_IGNORED = {"instanceName", "audit", "deviceID", "timeStart", "timeEnd", "userID",
                 "entity", "entities"}

_xforms: dict[tuple[int, str, tuple[str, ...]], str] = {}


class InstanceRefused(ValueError):
    """A submission not stored: the HTTP status to answer and why, in Vietnamese."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class ODKForm:
    """The form of one campaign at one unit, as ODK Collect downloads and sends it."""

    campaign: Campaign
    unit: Unit

    @cached_property
    def survey(self) -> Survey:
        return Survey(campaign=self.campaign, unit=self.unit,
                      version=self.campaign.instrument_version, channel=Channel.ODK)

    @property
    def instrument(self) -> Instrument:
        return self.survey.instrument

    @property
    def form_id(self) -> str:
        return self.instrument.code

    @property
    def version(self) -> str:
        return str(self.instrument.version)

    @property
    def title(self) -> str:
        return self.instrument.title

    @property
    def description(self) -> str:
        return f"{self.campaign.name} – {self.unit.name}"

    @cached_property
    def xform(self) -> str:
        """The XForm XML (made by pyxform once per process for each version and blocks)."""
        version = self.campaign.instrument_version
        key = (version.id, version.digest, self.survey.block_codes)
        if key not in _xforms:
            from questionnaires.xlsform import xform_of  # pyxform, openpyxl: on first use

            _xforms[key] = xform_of(self.instrument, block_codes=self.survey.block_codes)
        return _xforms[key]

    @property
    def md5(self) -> str:
        """What the form list's ``<hash>`` carries: Collect downloads again when it changes."""
        return hashlib.md5(self.xform.encode("utf-8"), usedforsecurity=False).hexdigest()

    @property
    def changed_at(self) -> datetime:
        """When the form last changed: a campaign's instrument and blocks are set when it is
        created, and a published version never changes."""
        return self.campaign.created_at

    def listed_on(self, today) -> bool:
        """Whether the form list offers it: the campaign is open and not past its deadline
        (before the start it can be downloaded, not yet sent)."""
        return self.campaign.state is CampaignState.OPEN and today <= self.campaign.deadline


def form_for(campaign_code: str, unit_code: str) -> ODKForm | None:
    """The form of a campaign past its draft at a unit taking part in it, or None."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if campaign is None or unit is None or campaign.state is CampaignState.DRAFT:
        return None
    taking_part = db.session.scalar(select(exists().where(
        CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id == unit.id)))
    return ODKForm(campaign, unit) if taking_part else None


@dataclass(frozen=True)
class Instance:
    """A submitted instance read back: its instanceID and its answers as codes."""

    instance_id: str
    submission: Submission

    @property
    def key(self) -> str:
        return KEY_PREFIX + self.instance_id


def _local(tag: object) -> str:
    """An element's name without its namespace (``{uri}meta`` → ``meta``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: Element) -> str:
    return (element.text or "").strip()


def parse_xml(data: bytes) -> Element:
    """The document's root element; a DTD, entity or external reference is refused unread."""
    if not data.strip():
        raise InstanceRefused(400, "Tệp xml_submission_file rỗng: không có phiếu nào để lưu.")
    try:
        return SafeXML.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                  forbid_external=True)
    except DefusedXmlException:
        raise InstanceRefused(400, "Tệp XML có khai báo DTD, thực thể (entity) hoặc tham chiếu "
                                   "ra ngoài; máy chủ không nhận những tệp như vậy. Phiếu gửi "
                                   "từ ODK Collect không bao giờ có chúng.") from None
    except (ParseError, ValueError, LookupError) as error:
        raise InstanceRefused(400, f"Tệp XML không đọc được (không đúng cú pháp XML: {error})."
                              ) from None


def read_instance(data: bytes, form: ODKForm) -> Instance:
    """The instance in ``data`` as a submission of ``form``, or ``InstanceRefused``."""
    root = parse_xml(data)
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise InstanceRefused(400, "Phần tử gốc của phiếu thiếu thuộc tính id (mã biểu mẫu, "
                                   "form ID xml attribute).")
    if root.get("encrypted") == "yes" or root.tag.startswith(f"{{{ENCRYPTED_NAMESPACE}}}"):
        raise InstanceRefused(400, "Phiếu đã mã hóa (encrypted) không được nhận: biểu mẫu của "
                                   "máy chủ này không mã hóa phiếu.")
    if form_id != form.form_id:
        raise InstanceRefused(404, f"Biểu mẫu “{form_id[:80]}” không có ở địa chỉ này; địa "
                                   f"chỉ này nhận biểu mẫu “{form.form_id}”.")
    version = (root.get("version") or root.get(f"{{{ORX_NAMESPACE}}}version") or "").strip()
    if version != form.version:
        raise InstanceRefused(404, f"Phiên bản biểu mẫu “{version[:40]}” ghi trong phiếu không "
                                   f"có; biểu mẫu “{form.form_id}” đang ở phiên bản "
                                   f"{form.version}. Hãy tải lại biểu mẫu (Tải biểu mẫu "
                                   "trống) rồi nhập lại phiếu.")
    instance_id = _instance_id(root)
    submission = _answers(root, form)
    source = hashlib.sha256(f"{form.campaign.id}:{form.unit.id}:".encode() + data).hexdigest()
    return Instance(instance_id=instance_id,
                    submission=Submission(answers=submission.answers,
                                          profile=submission.profile,
                                          comment=submission.comment, source_digest=source))


def _children(element: Element) -> dict[str, Element]:
    """Children by name; one name twice is refused (every question has one answer)."""
    found: dict[str, Element] = {}
    for child in element:
        name = _local(child.tag)
        if name in found:
            raise InstanceRefused(400, f"Phần tử “{name[:40]}” xuất hiện hai lần trong phiếu.")
        found[name] = child
    return found


def _instance_id(root: Element) -> str:
    meta = next((child for child in root if _local(child.tag) == "meta"), None)
    fields = _children(meta) if meta is not None else {}
    deprecated = fields.get("deprecatedID")
    if deprecated is not None and _text(deprecated):
        raise InstanceRefused(400, "Sửa một phiếu đã gửi (meta/deprecatedID) không được hỗ trợ: "
                                   "phiếu gửi lần đầu được giữ nguyên. Nếu cần sửa, hãy báo "
                                   "cán bộ phụ trách đơn vị.")
    found = fields.get("instanceID")
    if found is None:  # ODK Central also looks for it directly under the root
        found = next((child for child in root if _local(child.tag) == "instanceID"), None)
    value = _text(found) if found is not None else ""
    if not value:
        raise InstanceRefused(400, "Phiếu thiếu meta/instanceID: máy chủ cần mã này để không "
                                   "lưu một phiếu hai lần. Hãy dùng biểu mẫu tải từ máy chủ này.")
    if len(value) > MAX_INSTANCE_ID or not value.isascii() or not _INSTANCE_ID.match(value):
        raise InstanceRefused(400, f"meta/instanceID không hợp lệ: tối đa {MAX_INSTANCE_ID} ký "
                                   "tự, chỉ gồm chữ, số và “:”, “.”, “_”, “-” (ví dụ "
                                   "uuid:…).")
    return value


def _value(raw: str, code: str, not_applicable: bool, problems: list[str]) -> int | None:
    from questionnaires.xlsform.sheets import NOT_APPLICABLE_NAME  # the package loads openpyxl

    if raw == NOT_APPLICABLE_NAME and not_applicable:
        return NOT_APPLICABLE
    if raw.isascii() and raw.isdigit() and len(raw) <= 2:
        return int(raw)
    problems.append(f"Câu {code}: giá trị “{raw[:MAX_VALUE_LENGTH]}” không phải một lựa chọn "
                    "của câu hỏi.")
    return None


def _answers(root: Element, form: ODKForm) -> Submission:
    from questionnaires.xlsform.sheets import INTRO_NAME  # the package loads openpyxl

    """Item answers, profile and comment; unknown or nested elements are refused."""
    instrument = form.instrument
    groups = {element.code: element.items for element in instrument.elements}
    groups.update({block.code: block.items for block in form.survey.blocks})
    profile_questions = {question.code: question for question in instrument.profile}
    answers: dict[str, int] = {}
    profile: dict[str, str] = {}
    comment = ""
    problems: list[str] = []
    unknown: list[str] = []
    for name, child in _children(root).items():
        if name in ("meta", "instanceID", INTRO_NAME):
            continue
        if name in groups:
            items = {item.code: item for item in groups[name]}
            for code, element in _children(child).items():
                item = items.get(code)
                if item is None or len(element):
                    unknown.append(f"{name}/{code}")
                    continue
                raw = _text(element)
                if raw:
                    value = _value(raw, code, bool(item.scale.not_applicable), problems)
                    if value is not None:
                        answers[code] = value
        elif name in profile_questions and not len(child):
            raw = clean_text(child.text)
            if name == COMMENT:
                comment = raw
            elif len(raw) > MAX_VALUE_LENGTH:
                problems.append(f"{profile_questions[name].label}: giá trị dài "
                                f"{len(raw)} ký tự không phải một lựa chọn của câu hỏi.")
            elif raw:
                profile[name] = raw
        else:
            unknown.append(name)
    if unknown:
        shown = ", ".join(f"“{name[:40]}”" for name in unknown[:5])
        more = f" và {len(unknown) - 5} phần tử khác" if len(unknown) > 5 else ""
        raise InstanceRefused(400, f"Phiếu có phần tử không thuộc biểu mẫu “{form.form_id}” "
                                   f"của đợt khảo sát này: {shown}{more}. Hãy tải lại biểu mẫu "
                                   "từ máy chủ.")
    if problems:
        raise InstanceRefused(400, " ".join(problems))
    return Submission(answers=answers, profile=profile, comment=comment)


def store(form: ODKForm, instance: Instance, collector: User) -> Accepted:
    """Store the instance once (a replay returns the first); ``InstanceRefused`` if not."""
    try:
        return accept(form.survey, instance.key, instance.submission, client_address=None,
                      entered_by=collector, keep_incomplete=True)
    except SubmissionConflict:
        raise InstanceRefused(409, f"Đã có phiếu với instanceID “{instance.instance_id}” nhưng "
                                   "nội dung XML khác (hoặc gửi cho đợt khảo sát, đơn vị "
                                   "khác). Phiếu gửi lần đầu được giữ nguyên; lần gửi này "
                                   "không được ghi nhận.") from None
    except SurveyClosed:
        raise InstanceRefused(409, f"Đợt khảo sát “{form.campaign.name}” không nhận phiếu vào "
                                   "lúc này (chưa bắt đầu, đã qua hạn hoặc đã đóng), hoặc đơn "
                                   "vị không còn tham gia.") from None
    except SubmissionRefused as refused:
        raise InstanceRefused(400, " ".join(problem.message for problem in refused.problems)
                              ) from None
