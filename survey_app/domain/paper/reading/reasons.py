"""Why a page is refused, in the words staff read (docs/paper-sheets.md explains each one).

A page is refused rather than guessed whenever it cannot be identified or laid onto its
layout with confidence: a misregistered page must never become wrong answers.
"""

from __future__ import annotations

from enum import StrEnum


class Rejection(StrEnum):
    """The kinds of refusal; ``message`` is the Vietnamese reason shown to staff."""

    FILE = "file"
    NO_CODE = "no-code"
    FOREIGN_CODE = "foreign-code"
    SEVERAL_CODES = "several-codes"
    UNKNOWN_SHEET = "unknown-sheet"
    UNKNOWN_PAGE = "unknown-page"
    OTHER_INSTRUMENT = "other-instrument"
    TOO_SMALL = "too-small"
    NO_MARKS = "no-marks"
    MISFIT = "misfit"
    ROWS = "rows"
    UNREADABLE_PAPER = "unreadable-paper"

    @property
    def message(self) -> str:
        """The reason staff see, with what to do about it."""
        return MESSAGES[self]


MESSAGES = {
    Rejection.FILE: "không mở được tệp (chỉ nhận PDF, JPEG, PNG)",
    Rejection.NO_CODE: "không đọc được mã QR của phiếu — quét hoặc chụp lại rõ hơn, đủ cả tờ",
    Rejection.FOREIGN_CODE: "mã QR trên ảnh không phải mã của phiếu khảo sát",
    Rejection.SEVERAL_CODES: "ảnh có nhiều trang phiếu — mỗi ảnh chỉ chụp một trang",
    Rejection.UNKNOWN_SHEET: "mã QR không thuộc phiếu nào của đợt khảo sát này",
    Rejection.UNKNOWN_PAGE: "trang này không có trong mẫu phiếu của lô — nhập tay",
    Rejection.OTHER_INSTRUMENT: "phiếu in theo bộ câu hỏi khác với đợt khảo sát — nhập tay",
    Rejection.TOO_SMALL: "ảnh quá nhỏ (dưới 150 dpi) — quét ở 200–300 dpi hoặc chụp gần hơn",
    Rejection.NO_MARKS: "không tìm thấy 4 dấu góc — chụp lại cả tờ phiếu",
    Rejection.MISFIT: "4 dấu góc không khớp với mã QR — tờ phiếu bị cong, gập hoặc bị thu "
                      "phóng; quét lại cho phẳng, không chọn “vừa trang”",
    Rejection.ROWS: "vị trí các ô không khớp với mẫu phiếu — quét lại cho phẳng, đủ sáng",
    Rejection.UNREADABLE_PAPER: "ảnh quá tối, nhòe hoặc nhiễu để đọc ô đánh dấu — "
                                "quét hoặc chụp lại nơi đủ sáng",
}


class PageRefused(Exception):
    """Reading stops: the page is rejected for ``rejection``; ``detail`` adds to the message."""

    def __init__(self, rejection: Rejection, detail: str = "") -> None:
        super().__init__(rejection.message + (f" ({detail})" if detail else ""))
        self.rejection = rejection
        self.detail = detail

    @property
    def reason(self) -> str:
        """The message staff see."""
        return str(self)
