"""Reading the survey sheet: groups are elements or blocks, top-level questions the profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .sheets import CHOICES, DEFAULT_MAX_LENGTH, SATISFIED, SURVEY, Row, XLSFormError

if TYPE_CHECKING:
    from .reading import ChoiceList

#: Where each place of the definition came from, to tell the loader's errors by row.
Places = dict[str, Row]

#: Metadata ODK records by itself (Kobo adds start and end): no question, nothing to store.
METADATA_TYPES = {"start", "end", "today", "deviceid", "phonenumber", "username", "email",
                  "audit", "simserial", "subscriberid", "start-geopoint"}
#: Columns that change who answers what; the web form has no such logic.
LOGIC_COLUMNS = ("relevant", "calculation", "choice_filter", "repeat_count", "default",
                 "read_only", "trigger")
_CONSTRAINT_PREFIX = "string-length(.)<="


@dataclass
class Survey:
    """What the survey sheet holds, as parts of an instrument definition."""

    intro: dict[str, str] | None = None
    elements: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    profile: list[dict[str, Any]] = field(default_factory=list)
    profile_lists: set[str] = field(default_factory=set)
    #: (place index, question, list name) of each profile choice question.
    profile_choices: list[tuple[int, dict[str, Any], str]] = field(default_factory=list)


@dataclass
class _Group:
    row: Row
    items: list[tuple[Row, str]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row.get("name")


def read_survey(rows: list[Row], lists: dict[str, ChoiceList], places: Places) -> Survey:
    """Elements, blocks, profile and introduction of the survey sheet, or a located refusal."""
    survey = Survey()
    places.update(elements=Row(SURVEY, 0), profile=Row(SURVEY, 0), scales=Row(CHOICES, 0))
    names: dict[str, int] = {}
    group: _Group | None = None
    for row in rows:
        kind = " ".join(row.get("type").split()).lower().replace("begin group", "begin_group")
        kind = kind.replace("end group", "end_group")
        for name in LOGIC_COLUMNS:
            if row.get(name):
                raise row.error(f"cột '{name}' (điều kiện, tính toán) không được hỗ trợ: "
                                "phiếu trên web hỏi mọi câu như nhau")
        if kind != "end_group" and kind not in METADATA_TYPES:
            _claim(row, names)
        if kind == "begin_group":
            if group is not None:
                raise row.error(f"nhóm lồng trong nhóm '{group.code}' không được hỗ trợ")
            group = _Group(row)
        elif kind == "end_group":
            if group is None:
                raise row.error("end_group không có begin_group tương ứng")
            _close(group, lists, survey, places)
            group = None
        elif group is not None:
            group.items.append((row, _list_of(row, kind, lists, group)))
        else:
            _top_level(row, kind, lists, survey, places)
    if group is not None:
        raise group.row.error(f"nhóm '{group.code}' chưa được đóng bằng end_group")
    if not survey.elements:
        raise XLSFormError(SURVEY, None, "không có nhóm yếu tố nào: một yếu tố là một nhóm "
                           "(begin_group … end_group) các câu select_one theo thang đánh giá "
                           f"1–5, thang có cột '{SATISFIED}' = yes ở 4 và 5 trên trang "
                           "'choices'")
    return survey


def _claim(row: Row, names: dict[str, int]) -> None:
    name = row.get("name")
    if not name:
        raise row.error("thiếu 'name' (mã của câu hỏi hoặc nhóm)")
    if name in names:
        raise row.error(f"tên '{name}' bị trùng (đã dùng ở dòng {names[name]}): mỗi câu "
                        "hỏi, nhóm cần một mã riêng")
    names[name] = row.number


def _label(row: Row) -> dict[str, str]:
    if not row.get("label", "vi"):
        raise row.error("thiếu nhãn tiếng Việt (cột label::Tiếng Việt (vi))")
    texts = {"vi": row.get("label", "vi")}
    if row.english("label"):
        texts["en"] = row.english("label")
    return texts


def _with_label(row: Row, key: str, part: dict[str, Any]) -> dict[str, Any]:
    texts = _label(row)
    part[key] = texts["vi"]
    if "en" in texts:
        part[f"{key}_en"] = texts["en"]
    return part


def _list_of(row: Row, kind: str, lists: dict[str, ChoiceList], group: _Group) -> str:
    """The choice list of a question inside a group (only ``select_one`` belongs there)."""
    head, _, list_name = kind.partition(" ")
    if head != "select_one" or not list_name or " " in list_name.strip():
        raise row.error(f"câu hỏi loại '{kind}' không dùng được trong nhóm '{group.code}': "
                        "trong một yếu tố hay khối chỉ có câu chọn một (select_one) theo thang")
    _plain_question(row)
    return _existing(row, list_name.strip(), lists)


def _existing(row: Row, list_name: str, lists: dict[str, ChoiceList]) -> str:
    if list_name not in lists:
        raise row.error(f"danh sách lựa chọn '{list_name}' không có trên trang 'choices'")
    return list_name


def _plain_question(row: Row) -> None:
    for name, what in (("hint", "gợi ý (hint)"), ("constraint", "ràng buộc (constraint)")):
        if row.get(name, "vi") or row.english(name):
            raise row.error(f"câu hỏi '{row.get('name')}' không có {what} trong bộ phiếu")
    if row.get("required") and row.flag("required"):
        raise row.error(f"câu đánh giá '{row.get('name')}' không thể bắt buộc: phiếu hợp lệ "
                        "khi trả lời đủ số câu theo ngưỡng của đợt (METHODOLOGY §3)")


def _close(group: _Group, lists: dict[str, ChoiceList], survey: Survey, places: Places) -> None:
    """An element when its questions use a rating list, else an optional block."""
    if not group.items:
        raise group.row.error(f"nhóm '{group.code}' không có câu hỏi nào")
    list_name = group.items[0][1]
    for row, used in group.items:
        if used != list_name:
            raise row.error(f"mọi câu trong nhóm '{group.code}' dùng cùng một thang; câu này "
                            f"dùng '{used}', câu đầu dùng '{list_name}'")
    rating = lists[list_name].rating
    part = _with_label(group.row, "title", {"code": group.code})
    if rating and (group.row.get("hint", "vi") or group.row.english("hint")):
        raise group.row.error(f"yếu tố '{group.code}' không có lời dẫn (hint); chỉ khối tùy "
                              "chọn mới có")
    if not rating:
        if not lists[list_name].numeric():
            raise group.row.error(f"nhóm '{group.code}' dùng danh sách '{list_name}' không "
                                  "phải thang số (1, 2, …): câu hỏi như vậy không phân tích "
                                  "được")
        if group.row.get("hint", "vi"):
            part["prompt"] = group.row.get("hint", "vi")
        if group.row.english("hint"):
            part["prompt_en"] = group.row.english("hint")
    part["scale"] = list_name
    part["items"] = [_with_label(row, "text", {"code": row.get("name")})
                     for row, _used in group.items]
    target, key = (survey.elements, "elements") if rating else (survey.blocks, "blocks")
    target.append(part)
    place = f"{key}[{len(target)}]"
    places[place] = group.row
    for index, (row, _used) in enumerate(group.items, 1):
        places[f"{place}.items[{index}]"] = row


def _top_level(row: Row, kind: str, lists: dict[str, ChoiceList], survey: Survey,
               places: Places) -> None:
    """The introduction note, the profile questions, ODK's own metadata."""
    if kind in METADATA_TYPES:
        return
    if kind == "note":
        if survey.intro is not None or survey.elements or survey.blocks or survey.profile:
            raise row.error("chỉ một ghi chú (note) ở đầu phiếu, làm lời giới thiệu; ghi chú "
                            "khác không được hỗ trợ")
        survey.intro = _with_label(row, "intro", {})
        places["intro"] = row
        return
    head, _, list_name = kind.partition(" ")
    question = _with_label(row, "label", {"code": row.get("name")})
    if row.flag("required"):
        question["required"] = True
    if head == "select_one" and list_name and " " not in list_name.strip():
        list_name = _existing(row, list_name.strip(), lists)
        if lists[list_name].rating:
            raise row.error(f"câu đánh giá '{row.get('name')}' phải nằm trong một nhóm yếu tố "
                            "(begin_group … end_group)")
        if row.get("constraint"):
            raise row.error(f"câu hỏi '{row.get('name')}' không có ràng buộc (constraint)")
        survey.profile_lists.add(list_name)
        survey.profile_choices.append((len(survey.profile) + 1, question, list_name))
    elif kind == "text":
        question.update(kind="text", max_length=_max_length(row))
    else:
        raise row.error(f"loại câu hỏi '{kind}' không dùng được: bộ phiếu chỉ có câu chọn một "
                        "(select_one), câu trả lời chữ (text) và một ghi chú giới thiệu (note)")
    survey.profile.append(question)
    places[f"profile[{len(survey.profile)}]"] = row


def _max_length(row: Row) -> int:
    """``string-length(.) <= N`` (any spacing) gives N; no constraint gives the default."""
    constraint = "".join(row.get("constraint").split())
    if not constraint:
        return DEFAULT_MAX_LENGTH
    limit = constraint.removeprefix(_CONSTRAINT_PREFIX)
    if limit == constraint or not limit.isdigit() or int(limit) < 1:
        raise row.error(f"ràng buộc '{row.get('constraint')}' không đọc được: câu trả lời chữ "
                        "chỉ nhận 'string-length(.) <= N' (độ dài tối đa)")
    return int(limit)
