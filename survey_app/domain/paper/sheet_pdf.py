"""Drawing printed answer sheets: the page plan (computed once per batch) and the PDF.

A sheet is the whole instrument with answer bubbles, the profile questions, a comment box,
its serial and the QR code of its own online address. The plan places everything once;
each sheet only adds its serial and QR code, so 500 sheets take seconds. The plan's
geometry is also what the batch stores as its layout, for automatic mark reading
(``survey_app.domain.paper.reading``): every page carries four registration marks and a QR
code — page 1 the sheet's address, later pages a short page code — so that each scanned page
can be identified and registered on its own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from questionnaires import NOT_APPLICABLE, Instrument, Item

from ...support.pdf_fonts import register_fonts
from ...support.qr import draw_qr
from ..submissions.responses import COMMENT
from .serials import display_serial

PAGE_W, PAGE_H = A4
MARGIN = 42.0
MARK_SIZE = 14.0
MARK_INSET = 18.0
QR_SIZE = 78.0
#: The page code's QR on pages 2, 3…: small enough for the blank band above the content
#: (which starts below y = 786 on a continuation page), right-aligned with page 1's QR.
PAGE_QR_SIZE = 36.0
PAGE_QR_X = PAGE_W - MARGIN - 6 - PAGE_QR_SIZE
PAGE_QR_Y = 797.0
BUBBLE_R = 5.0
COLUMN_W = 40.0
TEXT_SIZE = 8.5
LEADING = 10.5
INSTRUCTION = ("Đánh dấu hoặc tô kín một ô cho mỗi câu. Phiếu không ghi tên. Có thể trả lời "
               "trực tuyến bằng cách quét mã QR (mỗi phiếu chỉ trả lời một lần).")
#: Sheets' QR codes use one fixed mask pattern (see ``qr.qr_matrix``).
SHEET_QR_MASK = 2
BOTTOM = MARGIN + 18  # keep clear of the footer and the lower registration marks


@dataclass
class SheetPlan:
    """Where everything goes on each page of one sheet; identical for every sheet of a batch."""

    pages: list[list[tuple]] = field(default_factory=lambda: [[]])
    layout_bubbles: list[dict[str, Any]] = field(default_factory=list)
    serial_box: dict[str, Any] = field(default_factory=dict)
    qr_box: dict[str, Any] = field(default_factory=dict)
    comment_box: dict[str, Any] = field(default_factory=dict)
    #: One box per question and page: the question's text and bubbles, for review crops.
    rows: list[dict[str, Any]] = field(default_factory=list)
    y: float = PAGE_H - MARGIN

    @property
    def page(self) -> int:
        """The number of the page being filled (1-based)."""
        return len(self.pages)

    def add(self, *op: Any) -> None:
        """Append a drawing operation to the current page."""
        self.pages[-1].append(op)

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit on this one."""
        if self.y - height < BOTTOM:
            self.pages.append([])
            self.y = PAGE_H - MARGIN - 14

    def text(self, x: float, y: float, text: str, font: str, size: float) -> None:
        """Place a line of text."""
        self.add("text", x, y, text, font, size)

    def bubble(self, x: float, y: float, digit: str = "", **what: Any) -> None:
        """Place an answer bubble and record it in the layout."""
        self.add("circle", x, y, BUBBLE_R, *((digit,) if digit else ()))
        self.layout_bubbles.append({"page": self.page, **what, "x": round(x, 2),
                                    "y": round(y, 2), "r": BUBBLE_R})

    def row(self, top: float, bottom: float, page: int | None = None, **what: Any) -> None:
        """Record the box of one question on a page (the current one unless given)."""
        self.rows.append({"page": page or self.page, **what, "x": MARGIN, "y": round(bottom, 2),
                          "w": round(PAGE_W - 2 * MARGIN, 2), "h": round(top - bottom, 2)})


def _wrapped(plan: SheetPlan, text: str, font: str, size: float, width: float,
             x: float = MARGIN) -> None:
    leading = size * 1.25
    lines = simpleSplit(text, font, size, width)
    plan.need(leading * len(lines))
    for line in lines:
        plan.y -= leading
        plan.text(x, plan.y, line, font, size)


def _header(plan: SheetPlan, title: str, unit_name: str, campaign_name: str,
            fonts: tuple[str, str]) -> None:
    regular, bold = fonts
    top = plan.y
    width = PAGE_W - 2 * MARGIN - QR_SIZE - 12
    _wrapped(plan, title.upper(), bold, 12, width)
    _wrapped(plan, unit_name, bold, 11, width)
    _wrapped(plan, campaign_name, regular, 9, width)
    plan.y -= 18
    plan.serial_box = {"page": 1, "x": MARGIN, "y": round(plan.y, 2), "w": 200.0, "h": 16.0}
    plan.y = min(plan.y - 6, top - QR_SIZE - 12)
    qr_x, qr_y = PAGE_W - MARGIN - QR_SIZE - 6, top - QR_SIZE - 6
    plan.qr_box = {"page": 1, "x": qr_x, "y": round(qr_y, 2), "size": QR_SIZE}
    _wrapped(plan, INSTRUCTION, regular, 8, PAGE_W - 2 * MARGIN)
    plan.y -= 4


def _choices(item: Item) -> list[tuple[int, str]]:
    choices = [(int(option.value), option.label) for option in item.scale.options]
    if item.scale.not_applicable:
        choices.append((NOT_APPLICABLE, item.scale.not_applicable))
    return choices


def _columns_x(count: int) -> list[float]:
    right = PAGE_W - MARGIN
    return [right - (count - index - 0.5) * COLUMN_W for index in range(count)]


def _group(plan: SheetPlan, title: str, prompt: str, items: list[tuple[int, Item]],
           fonts: tuple[str, str]) -> None:
    regular, bold = fonts
    choices = _choices(items[0][1])
    xs = _columns_x(len(choices))
    labels = [simpleSplit(label, regular, 6.5, COLUMN_W - 3) for _, label in choices]
    head_h = 8 * max(len(lines) for lines in labels) + 4
    text_w = xs[0] - COLUMN_W / 2 - MARGIN - 6
    plan.need(14 + head_h + 44)
    plan.y -= 14
    plan.text(MARGIN, plan.y, title, bold, 10)
    if prompt:
        _wrapped(plan, prompt, regular, 8, text_w)
    top = plan.y - 2
    for x, lines in zip(xs, labels, strict=True):
        for line_no, line in enumerate(lines):
            plan.add("ctext", x, top - 8 * (line_no + 1), line, regular, 6.5)
    plan.y = top - head_h
    for number, item in items:
        lines = simpleSplit(f"{number}. {item.text}", regular, TEXT_SIZE, text_w)
        height = max(LEADING * len(lines) + 5, 2 * BUBBLE_R + 8)
        plan.need(height)
        plan.add("line", MARGIN, plan.y, PAGE_W - MARGIN, plan.y)
        for line_no, line in enumerate(lines):
            plan.text(MARGIN, plan.y - LEADING * (line_no + 1) + 1, line, regular, TEXT_SIZE)
        centre = plan.y - height / 2
        for x, (value, _label) in zip(xs, choices, strict=True):
            plan.bubble(x, centre, str(value), item=item.code, value=value)
        plan.row(plan.y, plan.y - height, item=item.code)
        plan.y -= height


def _profile(plan: SheetPlan, instrument: Instrument, field_codes: list[str] | None,
             fonts: tuple[str, str]) -> None:
    regular, bold = fonts
    plan.need(30)
    plan.y -= 16
    plan.text(MARGIN, plan.y, "THÔNG TIN VỀ ÔNG/BÀ", bold, 10)
    for question in instrument.profile:
        if question.kind != "choice":
            continue
        options = [o for o in question.options
                   if question.code != "field" or not field_codes or o.value in field_codes]
        label = question.label + (" (bắt buộc)" if question.required else "")
        plan.need(30)
        plan.y -= 13
        plan.text(MARGIN, plan.y, label, bold, 8.5)
        top = plan.y + 10
        x = MARGIN + 8
        plan.y -= 13
        for option in options:
            width = 2 * BUBBLE_R + 4 + stringWidth(option.label, regular, TEXT_SIZE) + 14
            if x + width > PAGE_W - MARGIN:
                page, bottom = plan.page, plan.y - 5
                plan.need(14)
                if plan.page != page:
                    # The options go on over the page: one box on each page.
                    plan.row(top, bottom, page=page, question=question.code)
                    top = plan.y
                plan.y -= 14
                x = MARGIN + 8
            plan.bubble(x + BUBBLE_R, plan.y + 3, question=question.code, value=option.value)
            plan.text(x + 2 * BUBBLE_R + 4, plan.y, option.label, regular, TEXT_SIZE)
            x += width
        plan.row(top, plan.y - 5, question=question.code)


def _comment(plan: SheetPlan, instrument: Instrument, fonts: tuple[str, str]) -> None:
    _regular, bold = fonts
    question = next((q for q in instrument.profile if q.code == COMMENT), None)
    if question is None:
        return
    height = 80.0
    plan.need(height + 24)
    plan.y -= 18
    plan.text(MARGIN, plan.y, question.label, bold, 8.5)
    plan.y -= 4 + height
    plan.add("rect", MARGIN, plan.y, PAGE_W - 2 * MARGIN, height)
    plan.comment_box = {"page": plan.page, "x": MARGIN, "y": round(plan.y, 2),
                        "w": PAGE_W - 2 * MARGIN, "h": height}


def registration_marks() -> list[dict[str, Any]]:
    """The four solid corner squares printed on every page (bottom-left corners, points)."""
    low, high = MARK_INSET, PAGE_W - MARK_INSET - MARK_SIZE
    top = PAGE_H - MARK_INSET - MARK_SIZE
    return [{"corner": corner, "x": x, "y": y, "size": MARK_SIZE}
            for corner, x, y in (("top-left", low, top), ("top-right", high, top),
                                 ("bottom-left", low, MARK_INSET),
                                 ("bottom-right", high, MARK_INSET))]


def plan_sheet(instrument: Instrument, block_codes: list[str], field_codes: list[str] | None,
               *, title: str, unit_name: str, campaign_name: str) -> SheetPlan:
    """Place the whole questionnaire on A4 pages; the same plan serves every sheet."""
    fonts = register_fonts()
    plan = SheetPlan()
    _header(plan, title, unit_name, campaign_name, fonts)
    numbered = list(enumerate(instrument.items_for(tuple(block_codes)), 1))
    for element in instrument.elements:
        codes = {item.code for item in element.items}
        _group(plan, element.title, "", [(n, i) for n, i in numbered if i.code in codes], fonts)
    for code in block_codes:
        block = instrument.block(code)
        codes = {item.code for item in block.items}
        _group(plan, block.title, block.prompt,
               [(n, i) for n, i in numbered if i.code in codes], fonts)
    _profile(plan, instrument, field_codes, fonts)
    _comment(plan, instrument, fonts)
    return plan


def page_code(serial: str, page: int, pages: int) -> str:
    """What page 2, 3…'s QR code says: short (a 21-module code), the serial printed on every
    page anyway, never the sheet's secret token."""
    return f"KS:{serial}:{page}/{pages}"


def _page_qr(plan: SheetPlan, number: int) -> dict[str, Any]:
    if number == 1:
        return {key: plan.qr_box[key] for key in ("x", "y", "size")} | {"content": "sheet-url"}
    return {"x": PAGE_QR_X, "y": PAGE_QR_Y, "size": PAGE_QR_SIZE, "content": "page-code"}


def layout_of(plan: SheetPlan, sheet_count: int, **source: Any) -> dict[str, Any]:
    """The JSON layout kept with a batch: page geometry, marks, bubbles, serial and QR boxes
    (each page's too: the sheet's address on page 1, ``page_code`` on later pages), and one
    box per question and page (``rows``)."""
    marks = registration_marks()
    return {
        "format": 1, "units": "pt", "origin": "bottom-left", "page_size": [PAGE_W, PAGE_H],
        "pages_per_sheet": len(plan.pages), "sheet_count": sheet_count,
        "pdf_page_of": "(sheet_index × pages_per_sheet) + page",
        "page_code": "KS:<serial>:<page>/<pages_per_sheet>",
        "pages": [{"page": number, "registration_marks": marks, "qr": _page_qr(plan, number)}
                  for number in range(1, len(plan.pages) + 1)],
        "serial": plan.serial_box, "qr": plan.qr_box, "comment": plan.comment_box,
        "bubbles": plan.layout_bubbles, "rows": plan.rows, **source,
    }


def _draw_page(canvas: Canvas, ops: list[tuple], fonts: tuple[str, str]) -> None:
    canvas.setLineWidth(0.8)
    for op in ops:
        kind = op[0]
        if kind == "text":
            canvas.setFont(op[4], op[5])
            canvas.drawString(op[1], op[2], op[3])
        elif kind == "ctext":
            canvas.setFont(op[4], op[5])
            canvas.drawCentredString(op[1], op[2], op[3])
        elif kind == "circle":
            canvas.circle(op[1], op[2], op[3], stroke=1, fill=0)
            if len(op) > 4:
                # The value typed at paper entry, faint inside the bubble.
                canvas.setFillGray(0.55)
                canvas.setFont(fonts[0], 5.5)
                canvas.drawCentredString(op[1], op[2] - 2, op[4])
                canvas.setFillGray(0)
        elif kind == "line":
            canvas.setLineWidth(0.3)
            canvas.line(op[1], op[2], op[3], op[4])
            canvas.setLineWidth(0.8)
        elif kind == "rect":
            canvas.rect(op[1], op[2], op[3], op[4], stroke=1, fill=0)
    for mark in registration_marks():
        canvas.rect(mark["x"], mark["y"], mark["size"], mark["size"], stroke=0, fill=1)


def render_sheets(plan: SheetPlan, sheets: list[tuple[str, str]]) -> bytes:
    """The PDF of ``(serial, sheet url)`` sheets; every sheet starts on a new page."""
    fonts = register_fonts()
    regular, bold = fonts
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle("Phiếu khảo sát sự hài lòng")
    total = len(plan.pages)
    # The questionnaire is drawn once per page as a reusable form (XObject); each sheet's
    # pages only reference it and add the serial and QR code.
    for number, ops in enumerate(plan.pages, 1):
        canvas.beginForm(f"sheet-page-{number}")
        _draw_page(canvas, ops, fonts)
        canvas.endForm()
    for serial, url in sheets:
        shown = display_serial(serial)
        for number in range(1, total + 1):
            canvas.doForm(f"sheet-page-{number}")
            canvas.setFont(regular, 8)
            canvas.drawCentredString(PAGE_W / 2, MARK_INSET + 4,
                                     f"Phiếu số {shown} · Trang {number}/{total}")
            if number == 1:
                box = plan.serial_box
                canvas.setFont(bold, 14)
                canvas.drawString(box["x"], box["y"] + 3, f"Số phiếu: {shown}")
                qr = plan.qr_box
                draw_qr(canvas, url, qr["x"], qr["y"], qr["size"], mask=SHEET_QR_MASK)
            else:
                # Later pages are identified on their own (scanned or photographed apart).
                draw_qr(canvas, page_code(serial, number, total), PAGE_QR_X, PAGE_QR_Y,
                        PAGE_QR_SIZE, mask=SHEET_QR_MASK)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()
