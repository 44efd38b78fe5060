"""The campaign's result settings in words: one registry for forms, pages and exports.

The codes themselves are defined once, in ``questionnaires`` (``HEADLINE_METHODS``,
``WEIGHTINGS``); METHODOLOGY §3 says what each means. A test checks that every code has
its words here.
"""

from __future__ import annotations

#: Headline method → (short name for pickers and pages, sentence for reports).
METHOD_NAMES: dict[str, tuple[str, str]] = {
    "mean-of-elements": ("Trung bình các yếu tố",
                         "Trung bình chỉ số của các yếu tố có số liệu (thực hành QĐ 2640)"),
    "pooled": ("Gộp mọi câu trả lời",
               "Tỷ lệ hài lòng gộp trên mọi câu trả lời hợp lệ (cách đọc số liệu QĐ 1001)"),
    "mean-of-criteria": ("Trung bình các tiêu chí",
                         "Trung bình chỉ số của các tiêu chí có số liệu"),
}
#: Weighting → (short name, sentence for reports).
WEIGHTING_NAMES: dict[str, tuple[str, str]] = {
    "respondent": ("Theo số phiếu",
                   "Mỗi phiếu hợp lệ có trọng số như nhau (đơn vị nhiều phiếu nặng hơn)"),
    "dossier": ("Theo số hồ sơ N",
                "Chỉ số của mỗi đơn vị có trọng số bằng số hồ sơ N đơn vị đã giải quyết"),
}


def method_name(code: object) -> str:
    """Short Vietnamese name of a headline method; the code itself when unknown."""
    return METHOD_NAMES.get(str(code), (str(code or "—"),))[0]


def method_sentence(code: object) -> str:
    """What the headline method computes, for reports."""
    names = METHOD_NAMES.get(str(code))
    return f"{names[0]}: {names[1]}" if names else str(code or "—")


def weighting_name(code: object) -> str:
    """Short Vietnamese name of a weighting."""
    return WEIGHTING_NAMES.get(str(code), (str(code or "—"),))[0]


def weighting_sentence(code: object) -> str:
    """How the district figure weighs the units, for reports."""
    names = WEIGHTING_NAMES.get(str(code))
    return f"{names[0]}: {names[1]}" if names else str(code or "—")
