"""Load instrument definitions (YAML or stored JSON) into ``Instrument`` dataclasses.

Every check names the file, the place in it and what is wrong, so that a person
editing a questionnaire can fix it without reading this code.

The format (see ``instruments/*.yaml`` and docs/instruments.md): ``code``, ``version``,
``title``, ``source``, optional ``intro``; ``scales`` (``options`` of ``value``/``label``,
``not_applicable``, ``satisfied``, ``rating``); ``elements`` (``code``, ``title``, ``scale``,
``items`` of ``code``/``text``); optional ``blocks`` (the same plus ``prompt``); ``profile``
(``code``, ``label``, ``kind`` choice|text, ``options``, ``required``, ``max_length``).
``include: common.yaml`` merges shared ``scales`` and ``profile``.

English wording: every text shown to respondents may carry a translation in a key of the
same name plus ``_en`` — ``title_en`` and ``intro_en`` (instrument), ``title_en``
(element, block), ``prompt_en`` (block), ``text_en`` (item), ``label_en`` (option, profile
question), ``not_applicable_en`` (scale). Each is optional (the Vietnamese is shown where it
is missing) but, when present, a non-empty string beside its Vietnamese original.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .model import Block, Element, Instrument, Item, Option, ProfileQuestion, Scale
from .yamlfile import DefinitionError, Located, read_yaml

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
TOP_KEYS = {"code", "version", "title", "title_en", "intro", "intro_en", "source", "include",
            "scales", "elements", "blocks", "profile"}
REQUIRED_PROFILE = "respondent_type"


def load_instrument(path: str | Path) -> Instrument:
    """Read, resolve and validate one instrument file."""
    return build_instrument(resolve_includes(read_yaml(path), Path(path).parent))


def resolve_includes(located: Located, folder: Path) -> Located:
    """Merge the shared scales/profile file named by ``include:`` into the definition."""
    data = located.data
    if not isinstance(data, dict) or "include" not in data:
        return located
    name = data["include"]
    if not isinstance(name, str) or "/" in name or "\\" in name:
        raise located.error("include", "phải là tên một tệp YAML nằm cùng thư mục")
    shared = read_yaml(folder / name).data
    if not isinstance(shared, dict) or set(shared) - {"scales", "profile"}:
        raise DefinitionError(name, "", "tệp dùng chung chỉ được có 'scales' và 'profile'")
    merged = {key: value for key, value in data.items() if key != "include"}
    merged["scales"] = {**shared.get("scales", {}), **(data.get("scales") or {})}
    if "profile" not in data and "profile" in shared:
        merged["profile"] = shared["profile"]
    return Located(located.origin, merged, located.lines)


def instrument_from_definition(definition: dict[str, Any], origin: str = "định nghĩa đã lưu"
                               ) -> Instrument:
    """Rebuild an instrument from the resolved definition stored in the database."""
    return build_instrument(Located(origin, definition, {}))


def build_instrument(located: Located) -> Instrument:
    """Validate a resolved definition and turn it into dataclasses."""
    data = located.data
    if not isinstance(data, dict):
        raise located.error("", "tệp phải là một bảng khóa–giá trị (mapping)")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise located.error(unknown[0], f"khóa không được hỗ trợ: {', '.join(unknown)}")
    code = _code(located, data, "code")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise located.error("version", "version phải là số nguyên dương")
    title = _text(located, data, "title")
    source = _text(located, data, "source")
    scales = _scales(located, data.get("scales"))
    seen: dict[str, str] = {}
    elements = tuple(_elements(located, data.get("elements"), scales, seen))
    blocks = tuple(_blocks(located, data.get("blocks", []), scales, seen))
    profile = _profile(located, data.get("profile"))
    intro = data.get("intro", "")
    if not isinstance(intro, str):
        raise located.error("intro", "phải là chuỗi")
    return Instrument(code=code, version=version, title=title, source=source.strip(),
                      scales=scales, elements=elements, blocks=blocks, profile=profile,
                      intro=intro.strip(), title_en=_english(located, data, "title"),
                      intro_en=_english(located, data, "intro", original=intro.strip()))


def _text(located: Located, data: dict, key: str, place: str | None = None) -> str:
    place = place or key
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise located.error(place, f"thiếu '{key}' (chuỗi không rỗng)")
    return value.strip()


def _english(located: Located, data: dict, key: str, place: str | None = None,
             original: str | None = None) -> str | None:
    """The optional English wording ``<key>_en`` beside the Vietnamese ``key``."""
    name = f"{key}_en"
    where = f"{place}.{name}" if place else name
    if name not in data:
        return None
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        raise located.error(where, f"bản tiếng Anh '{name}' phải là chuỗi không rỗng")
    if original is not None and not original:
        raise located.error(where, f"có '{name}' nhưng thiếu bản tiếng Việt '{key}'")
    return value.strip()


def _code(located: Located, data: dict, key: str, place: str | None = None) -> str:
    place = place or key
    value = data.get(key)
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        raise located.error(place, f"mã {value!r} không hợp lệ: dùng chữ thường không dấu, "
                                   "số, '-' hoặc '_', bắt đầu bằng chữ cái")
    return value


def _mapping(located: Located, value: Any, place: str, allowed: set[str]) -> dict:
    if not isinstance(value, dict):
        raise located.error(place, "phải là một bảng khóa–giá trị")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise located.error(f"{place}.{unknown[0]}", f"khóa không được hỗ trợ: {unknown[0]}")
    return value


def _list(located: Located, value: Any, place: str, what: str) -> list:
    if not isinstance(value, list) or not value:
        raise located.error(place, f"{what} không được để trống")
    return value


def _options(located: Located, raw: Any, place: str, numeric: bool) -> tuple[Option, ...]:
    options: list[Option] = []
    seen: set = set()
    for index, entry in enumerate(_list(located, raw, place, "danh sách lựa chọn"), start=1):
        where = f"{place}[{index}]"
        entry = _mapping(located, entry, where, {"value", "label", "label_en"})
        value = entry.get("value")
        if numeric and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise located.error(f"{where}.value", "giá trị phải là số nguyên từ 1 trở lên "
                                                  "(0 dành cho 'Không áp dụng')")
        if not numeric and not (isinstance(value, str) and value):
            raise located.error(f"{where}.value", "mã lựa chọn phải là chuỗi không rỗng")
        if value in seen:
            raise located.error(f"{where}.value", f"giá trị {value!r} bị trùng")
        seen.add(value)
        options.append(Option(value=value, label=_text(located, entry, "label", f"{where}.label"),
                              label_en=_english(located, entry, "label", where)))
    return tuple(options)


def _scales(located: Located, raw: Any) -> dict[str, Scale]:
    if not isinstance(raw, dict) or not raw:
        raise located.error("scales", "chưa khai báo thang trả lời nào")
    scales: dict[str, Scale] = {}
    for code, entry in raw.items():
        place = f"scales.{code}"
        if not CODE_PATTERN.match(code):
            raise located.error(place, f"mã thang {code!r} không hợp lệ")
        entry = _mapping(located, entry, place, {"options", "not_applicable",
                                                 "not_applicable_en", "satisfied", "rating"})
        options = _options(located, entry.get("options"), f"{place}.options", numeric=True)
        rating = entry.get("rating", False)
        if not isinstance(rating, bool):
            raise located.error(f"{place}.rating", "phải là true hoặc false")
        satisfied = entry.get("satisfied", [])
        values = {option.value for option in options}
        if not isinstance(satisfied, list) or not set(satisfied) <= values:
            raise located.error(f"{place}.satisfied", "phải là danh sách các giá trị của thang")
        if rating and not satisfied:
            raise located.error(f"{place}.satisfied", "thang đánh giá phải nêu mức 'hài lòng'")
        not_applicable = entry.get("not_applicable")
        if not_applicable is not None and not (isinstance(not_applicable, str)
                                               and not_applicable.strip()):
            raise located.error(f"{place}.not_applicable", "phải là nhãn (chuỗi)")
        not_applicable_en = _english(located, entry, "not_applicable", place,
                                     original=not_applicable or "")
        scales[code] = Scale(code=code, options=options, not_applicable=not_applicable,
                             satisfied=frozenset(satisfied), rating=rating,
                             not_applicable_en=not_applicable_en)
    return scales


def _items(located: Located, raw: Any, place: str, group: str, scale: Scale,
           seen: dict[str, str]) -> tuple[Item, ...]:
    items = []
    for index, entry in enumerate(_list(located, raw, place, "danh sách câu hỏi"), start=1):
        where = f"{place}[{index}]"
        entry = _mapping(located, entry, where, {"code", "text", "text_en"})
        code = _code(located, entry, "code", f"{where}.code")
        if code in seen:
            raise located.error(f"{where}.code", f"mã câu hỏi '{code}' bị trùng "
                                                 f"(đã dùng ở {seen[code]})")
        seen[code] = where
        items.append(Item(code=code, text=_text(located, entry, "text", f"{where}.text"),
                          group=group, scale=scale,
                          text_en=_english(located, entry, "text", where)))
    return tuple(items)


def _scale_ref(located: Located, entry: dict, place: str, scales: dict[str, Scale]) -> Scale:
    name = entry.get("scale")
    if name not in scales:
        known = ", ".join(sorted(scales))
        raise located.error(f"{place}.scale", f"thang '{name}' chưa được khai báo "
                                              f"(các thang có: {known})")
    return scales[name]


def _elements(located: Located, raw: Any, scales: dict[str, Scale], seen: dict[str, str]):
    codes: set[str] = set()
    for index, entry in enumerate(_list(located, raw, "elements", "danh sách yếu tố"), start=1):
        place = f"elements[{index}]"
        entry = _mapping(located, entry, place, {"code", "title", "title_en", "scale", "items"})
        code = _code(located, entry, "code", f"{place}.code")
        if code in codes:
            raise located.error(f"{place}.code", f"mã yếu tố '{code}' bị trùng")
        codes.add(code)
        scale = _scale_ref(located, entry, place, scales)
        if not scale.rating:
            raise located.error(f"{place}.scale", f"yếu tố phải dùng thang đánh giá "
                                                  f"(rating: true), '{scale.code}' thì không")
        if not entry.get("items"):
            raise located.error(f"{place}.items", f"yếu tố '{code}' không có câu hỏi nào")
        yield Element(code=code, title=_text(located, entry, "title", f"{place}.title"),
                      title_en=_english(located, entry, "title", place),
                      items=_items(located, entry["items"], f"{place}.items", code, scale, seen))


def _blocks(located: Located, raw: Any, scales: dict[str, Scale], seen: dict[str, str]):
    if raw in (None, []):
        return
    codes: set[str] = set()
    for index, entry in enumerate(_list(located, raw, "blocks", "danh sách khối"), start=1):
        place = f"blocks[{index}]"
        entry = _mapping(located, entry, place, {"code", "title", "title_en", "prompt",
                                                 "prompt_en", "scale", "items"})
        code = _code(located, entry, "code", f"{place}.code")
        if code in codes:
            raise located.error(f"{place}.code", f"mã khối '{code}' bị trùng")
        codes.add(code)
        scale = _scale_ref(located, entry, place, scales)
        if not entry.get("items"):
            raise located.error(f"{place}.items", f"khối '{code}' không có câu hỏi nào")
        prompt = entry.get("prompt", "")
        if not isinstance(prompt, str):
            raise located.error(f"{place}.prompt", "phải là chuỗi")
        yield Block(code=code, title=_text(located, entry, "title", f"{place}.title"),
                    prompt=prompt.strip(), title_en=_english(located, entry, "title", place),
                    prompt_en=_english(located, entry, "prompt", place, original=prompt.strip()),
                    items=_items(located, entry["items"], f"{place}.items", code, scale, seen))


def _profile(located: Located, raw: Any) -> tuple[ProfileQuestion, ...]:
    questions = []
    codes: set[str] = set()
    for index, entry in enumerate(_list(located, raw, "profile", "phần thông tin người trả lời"),
                                  start=1):
        place = f"profile[{index}]"
        entry = _mapping(located, entry, place, {"code", "label", "label_en", "kind", "options",
                                                 "required", "max_length"})
        code = _code(located, entry, "code", f"{place}.code")
        if code in codes:
            raise located.error(f"{place}.code", f"mã câu hỏi '{code}' bị trùng")
        codes.add(code)
        kind = entry.get("kind", "choice")
        required = entry.get("required", False)
        if not isinstance(required, bool):
            raise located.error(f"{place}.required", "phải là true hoặc false")
        label = _text(located, entry, "label", f"{place}.label")
        label_en = _english(located, entry, "label", place)
        if kind == "choice":
            options = _options(located, entry.get("options"), f"{place}.options", numeric=False)
            questions.append(ProfileQuestion(code=code, label=label, kind=kind, options=options,
                                             required=required, label_en=label_en))
        elif kind == "text":
            max_length = entry.get("max_length")
            if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
                raise located.error(f"{place}.max_length", "câu hỏi dạng chữ cần max_length > 0")
            questions.append(ProfileQuestion(code=code, label=label, kind=kind,
                                             required=required, max_length=max_length,
                                             label_en=label_en))
        else:
            raise located.error(f"{place}.kind", f"loại '{kind}' không được hỗ trợ "
                                                 "(chỉ 'choice' hoặc 'text')")
    if REQUIRED_PROFILE not in codes:
        raise located.error("profile", "phải có câu hỏi bắt buộc 'respondent_type'")
    return tuple(questions)
