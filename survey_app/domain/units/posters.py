"""Counter posters: the unit's and counter's names, a large QR code and one instruction."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...auth import scope_to_units
from ...extensions import db
from ...models import Counter, Unit, User
from ...support.dates import today_local
from ...support.pdf_fonts import register_fonts
from ...support.qr import draw_qr
from ..submissions.public_survey import promised_minutes
from .links import counter_url

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

#: Paper sizes offered (ReportLab's names, looked up when a poster is drawn).
PAPERS = {"a4": "A4", "a5": "A5"}
INSTRUCTION = "Quét mã QR để đánh giá mức độ hài lòng của Ông/Bà"
SUBTITLE = "Khảo sát sự hài lòng của người dân, tổ chức"


def visible_counters(user: User, unit_id: int | None = None) -> list[Counter]:
    """Active counters of active units the user may see (optionally of one unit)."""
    query = (select(Counter).join(Counter.unit).options(joinedload(Counter.unit))
             .where(Counter.is_active, Unit.is_active).order_by(Unit.name, Counter.id))
    if unit_id is not None:
        query = query.where(Counter.unit_id == unit_id)
    return list(db.session.scalars(scope_to_units(query, Counter.unit_id, user)))


def all_counters(unit_id: int | None = None) -> list[Counter]:
    """Every active counter (of one unit, or of all active units), for the command line."""
    query = (select(Counter).join(Counter.unit).options(joinedload(Counter.unit))
             .where(Counter.is_active, Unit.is_active).order_by(Unit.name, Counter.id))
    if unit_id is not None:
        query = query.where(Counter.unit_id == unit_id)
    return list(db.session.scalars(query))


def _centered_lines(canvas: Canvas, text: str, font: str, size: float, width: float,
                    top: float, page_width: float) -> float:
    """Draw ``text`` wrapped and centred from ``top`` down; return the y below it."""
    from reportlab.lib.utils import simpleSplit

    leading = size * 1.25
    for line in simpleSplit(text, font, size, width):
        top -= leading
        canvas.setFont(font, size)
        canvas.drawCentredString(page_width / 2, top, line)
    return top


def promise(minutes: int | None) -> str:
    """What answering costs the citizen: "Không ghi tên · khoảng 4 phút"."""
    return f"Không ghi tên · khoảng {minutes} phút" if minutes else "Không ghi tên"


def _draw_poster(canvas: Canvas, counter: Counter, page_size: tuple[float, float],
                 minutes: int | None) -> None:
    from reportlab.lib.pagesizes import A4

    regular, bold = register_fonts()
    width, height = page_size
    scale = width / A4[0]
    margin = 40 * scale
    text_width = width - 2 * margin
    url = counter_url(counter)
    y = _centered_lines(canvas, counter.unit.name, bold, 30 * scale, text_width,
                        height - margin, width)
    y = _centered_lines(canvas, counter.name, regular, 22 * scale, text_width, y - 6 * scale,
                        width)
    y = _centered_lines(canvas, SUBTITLE, regular, 14 * scale, text_width, y - 6 * scale, width)
    size = min(width - 2 * margin - 40 * scale, y - margin - 135 * scale)
    y -= 20 * scale + size
    draw_qr(canvas, url, (width - size) / 2, y, size)
    y = _centered_lines(canvas, INSTRUCTION, bold, 18 * scale, text_width, y - 14 * scale, width)
    y = _centered_lines(canvas, promise(minutes), regular, 16 * scale, text_width,
                        y - 4 * scale, width)
    _centered_lines(canvas, url, regular, 10 * scale, text_width, y - 8 * scale, width)


def poster_pdf(counters: Iterable[Counter], paper: str = "a4") -> bytes:
    """A PDF with one poster page per counter, on A4 or A5 paper."""
    from reportlab.lib import pagesizes
    from reportlab.pdfgen.canvas import Canvas

    page_size = getattr(pagesizes, PAPERS[paper])
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page_size, invariant=1)
    canvas.setTitle("Áp phích khảo sát sự hài lòng")
    today = today_local()
    minutes: dict[int, int | None] = {}
    for counter in counters:
        if counter.unit_id not in minutes:
            minutes[counter.unit_id] = promised_minutes(today, counter.unit_id)
        _draw_poster(canvas, counter, page_size, minutes[counter.unit_id])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
