"""What reading one page gives: its identity, status, reason and one decision per question.

Plain frozen dataclasses; ``PageResult.to_json`` is the line ``read-scans`` prints per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .reasons import Rejection

#: The layout's value of the "Không áp dụng" bubble (``questionnaires.NOT_APPLICABLE``).
NOT_APPLICABLE = 0


class Status(StrEnum):
    """What happens to a page: stored as read, looked at by a person, or read again."""

    ACCEPTED = "accepted"
    REVIEW = "review"
    REJECTED = "rejected"


class BubbleState(StrEnum):
    """One bubble against the page's own empty bubbles."""

    MARKED = "marked"
    EMPTY = "empty"
    UNCERTAIN = "uncertain"


class Decision(StrEnum):
    """One question: answered or blank (accepted), or why a person must look at it."""

    ANSWERED = "answered"
    BLANK = "blank"
    DOUBLE = "double"
    ERASURE = "erasure"
    FAINT = "faint"
    OUTSIDE = "outside"
    MISALIGNED = "misaligned"

    @property
    def accepted(self) -> bool:
        """True when the reading may be stored without a person looking at it."""
        return self in (Decision.ANSWERED, Decision.BLANK)


#: Why a question goes to review, as staff read it.
DECISION_REASONS = {
    Decision.DOUBLE: "nhiều ô được đánh dấu",
    Decision.ERASURE: "có ô tẩy xoá hoặc vết mờ bên cạnh ô đánh dấu",
    Decision.FAINT: "vết đánh dấu mờ, không chắc chắn",
    Decision.OUTSIDE: "có vết đánh dấu ngoài ô (khoanh tròn hoặc đánh bên cạnh)",
    Decision.MISALIGNED: "không khớp vị trí các ô",
}


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in points from the bottom-left corner (as in the layout)."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class BubbleReading:
    """One bubble's measures and state.

    ``fill`` is the mean ink coverage of the bubble's inside (0 = paper, 1 = the page's own
    solid print) less that of the page's empty bubbles of the same kind; ``dark`` is the
    share of its pixels more than half-inked, less the same reference; ``outside`` the mean
    coverage of a band just outside the printed ring (a circle drawn around the bubble, a
    tick beside it), less the page's reference.
    """

    value: int | str
    fill: float
    dark: float
    state: BubbleState
    outside: float = 0.0


@dataclass(frozen=True)
class QuestionReading:
    """One question on one page: the bubbles, the decision and the value it gives."""

    code: str
    kind: str  # "item" (rating, value 0..5) or "profile" (option code)
    decision: Decision
    value: int | str | None
    bubbles: tuple[BubbleReading, ...]
    box: Box | None
    #: The question's row as a PNG, kept only for questions that go to review.
    crop_png: bytes | None = None

    @property
    def needs_review(self) -> bool:
        """True when a person must decide this question."""
        return not self.decision.accepted

    @property
    def answer(self) -> int | str | None:
        """The value as the CLI prints it: 1..5, "NA", an option code, or None."""
        if self.needs_review:
            return None
        if self.kind == "item" and self.value == NOT_APPLICABLE:
            return "NA"
        return self.value


@dataclass(frozen=True)
class SheetCode:
    """What a page's QR code says: page 1 the sheet's address, later pages a page code."""

    text: str
    page: int
    token: str | None = None
    serial: str | None = None
    pages: int | None = None


@dataclass(frozen=True)
class Registration:
    """How the page was laid onto the layout, with the measures that justified it."""

    #: 3×3 projective transform from layout points (y up) to image pixels.
    page_to_image: tuple[tuple[float, ...], ...]
    #: Image pixels per layout point (the geometric mean over the page).
    pixels_per_point: float
    #: Largest distance, in points, between the QR corners as decoded and as the four
    #: marks place them.
    qr_residual_pt: float
    #: Median shift, in points, of the printed bubble rows found against where they were
    #: expected, and the share of rows whose print was found.
    row_shift_pt: float = 0.0
    rows_found: float = 1.0


@dataclass(frozen=True)
class PageResult:
    """The reading of one page of one file."""

    file: str
    page: int
    status: Status
    reason: str = ""
    code: SheetCode | None = None
    serial: str | None = None
    sheet_page: int | None = None
    questions: tuple[QuestionReading, ...] = ()
    registration: Registration | None = None
    comment_png: bytes | None = None
    comment_has_ink: bool = False
    seconds: float = 0.0
    rejection: Rejection | None = None

    @property
    def review_questions(self) -> tuple[QuestionReading, ...]:
        """The questions a person must decide."""
        return tuple(q for q in self.questions if q.needs_review)

    def answers(self) -> dict[str, int | str | None]:
        """Rating items on this page: 1..5, "NA" or None (blank or awaiting review)."""
        return {q.code: q.answer for q in self.questions if q.kind == "item"}

    def profile(self) -> dict[str, int | str | None]:
        """Profile questions on this page: the chosen option's code or None."""
        return {q.code: q.answer for q in self.questions if q.kind == "profile"}

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``read-scans`` prints for this page."""
        return {
            "file": self.file, "page": self.page, "serial": self.serial,
            "sheet_page": self.sheet_page, "status": str(self.status), "reason": self.reason,
            "answers": self.answers(), "profile": self.profile(),
            "review": {q.code: str(q.decision) for q in self.review_questions},
            "rejection": str(self.rejection) if self.rejection else None,
            "comment_written": self.comment_has_ink,
        }
