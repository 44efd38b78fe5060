"""The PDF report for the Chairman, as a Vietnamese administrative document: the issuing
office and the national motto (Quốc hiệu, tiêu ngữ), number and date line, the summary, the
ranked table (numbers right-aligned), a chart with intervals, the method, the approval line,
a signature block, and page numbers "Trang x/y".

Every piece of text from people (unit names, labels) is escaped before ReportLab's paragraph
markup sees it, so an ``<img src=…>`` or a URL in it is printed, never fetched. Built with
``invariant`` so the same results give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ....support.formatting import local_moment
from ....support.pdf_fonts import register_fonts
from . import tables as t

CHART_WIDTH = 170 * mm
#: Units per chart drawing: 40 rows of 14 pt stay well inside one A4 page.
CHART_ROWS = 40
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Letterhead:
    """Who issues the report and where (``SURVEY_REPORT_*`` settings, docs/exports.md)."""

    authority: str = "ỦY BAN NHÂN DÂN"   # the governing body, e.g. "UBND TỈNH GIA LAI"
    office: str = "CƠ QUAN NỘI VỤ"       # the issuing office, e.g. "SỞ NỘI VỤ"
    place: str = "……………"                # địa danh, e.g. "Gia Lai"
    signer: str = "THỦ TRƯỞNG CƠ QUAN"   # the signer's title
    number: str = "Số:       /BC-……"      # filled in by the office's clerk


def configured_letterhead() -> Letterhead:
    """The letterhead of the app's settings; the generic one outside an app."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return Letterhead()
    config = current_app.config
    default = Letterhead()
    return Letterhead(authority=config.get("REPORT_AUTHORITY") or default.authority,
                      office=config.get("REPORT_OFFICE") or default.office,
                      place=config.get("REPORT_PLACE") or default.place,
                      signer=config.get("REPORT_SIGNER") or default.signer)

BAR_COLOUR = colors.HexColor("#7aa6d6")
WHISKER_COLOUR = colors.HexColor("#1a1a1a")


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12.5)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=16, leading=20,
                                spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=12, leading=15,
                             spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=10.5, leading=13,
                             spaceBefore=8, spaceAfter=3),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "number": ParagraphStyle("number", parent=base, fontSize=8.5, leading=10.5,
                                 alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=8, leading=10,
                               alignment=TA_CENTER),
        "centre": ParagraphStyle("centre", parent=base, alignment=TA_CENTER),
        "centre_bold": ParagraphStyle("centre_bold", parent=base, fontName=bold,
                                      alignment=TA_CENTER),
        "motto": ParagraphStyle("motto", parent=base, fontName=bold, alignment=TA_CENTER,
                                underlineWidth=0.6),
        "date": ParagraphStyle("date", parent=base, alignment=TA_CENTER,
                               fontName=regular, fontSize=9.5),
        "doc_title": ParagraphStyle("doc_title", parent=base, fontName=bold, fontSize=14,
                                    leading=18, alignment=TA_CENTER, spaceBefore=10),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontName=bold, fontSize=11,
                                   leading=14, alignment=TA_CENTER, spaceAfter=8),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: markup characters in ``text`` are escaped."""
    return Paragraph(escape("" if text is None else str(text)), style)


def write_report(results: Mapping[str, Any], stream: IO[bytes],
                 letterhead: Letterhead | None = None) -> None:
    """Write the PDF report of ``results`` to ``stream``."""
    letterhead = letterhead or configured_letterhead()
    styles = _styles()
    campaign = t.campaign_label(results)
    document = SimpleDocTemplate(stream, pagesize=A4, invariant=1, leftMargin=18 * mm,
                                 rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
                                 title=f"Kết quả khảo sát sự hài lòng — {campaign}",
                                 author="Phòng Nội vụ", creator="Khảo sát sự hài lòng (SIPAS)")
    story: list[Any] = [
        _letterhead(results, letterhead, styles),
        _p("BÁO CÁO", styles["doc_title"]),
        _p("Kết quả khảo sát sự hài lòng của người dân, tổ chức", styles["subtitle"]),
        _p(f"Đợt khảo sát: {campaign}", styles["body"]),
        _p(f"Bộ phiếu: {t.instrument_label(results.get('instrument'))}", styles["body"]),
        *(_p(f"{what}: {value}", styles["body"]) for what, value in t.setting_lines(results)),
        _p(f"Thời điểm tính: {t.computed_text(results)}", styles["body"]),
    ]
    story += _district_summary(results, styles)
    sections = t.ranking_sections(results.get("units") or [])
    units = [unit for _, rows in sections for unit in rows]
    story.append(_p("Xếp hạng các đơn vị", styles["h2"]))
    for heading, rows in sections:
        if heading:
            story.append(_p(heading, styles["h3"]))
        story.append(_ranked_table(results, rows, styles))
    if not sections:
        story.append(_ranked_table(results, [], styles))
    if units:
        # A province's 120 units do not fit one page: the chart goes on in parts.
        story += [_p("Chỉ số chung và khoảng tin cậy 95%", styles["h2"]),
                  *(interval_drawing(results, units[start:start + CHART_ROWS])
                    for start in range(0, len(units), CHART_ROWS))]
    story += _elements_by_unit(results, units, styles)
    story += _criteria_appendix(results, units, styles)
    story += _method_note(results, styles)
    story.append(_signature(letterhead, styles))
    document.build(story, canvasmaker=NumberedCanvas)


class NumberedCanvas(Canvas):
    """Writes "Trang x/y" on every page once the number of pages is known."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        regular, _ = register_fonts()
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(regular, 8)
            self.drawRightString(A4[0] - 18 * mm, 9 * mm, f"Trang {self._pageNumber}/{total}")
            super().showPage()
        super().save()


def _report_date(results: Mapping[str, Any]) -> str:
    """"ngày 03 tháng 12 năm 2026": the approval's local date, else the computation's."""
    approval = results.get("approval") if isinstance(results.get("approval"), Mapping) else {}
    moment = t.computed_at({"computed_at": approval.get("approved_at") or
                            results.get("computed_at")})
    day = local_moment(moment)
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def _letterhead(results: Mapping[str, Any], letterhead: Letterhead, styles: dict) -> Table:
    """Issuing office and number on the left, Quốc hiệu, tiêu ngữ and date on the right."""
    left = [_p(letterhead.authority.upper(), styles["centre"]),
            _p(letterhead.office.upper(), styles["centre_bold"]),
            _p("———", styles["centre"]), _p(letterhead.number, styles["centre"])]
    right = [_p(NATION, styles["centre_bold"]),
             Paragraph(f"<u>{escape(MOTTO)}</u>", styles["motto"]),
             _p(" ", styles["centre"]),
             Paragraph(f"<i>{escape(letterhead.place)}, {_report_date(results)}</i>",
                       styles["date"])]
    table = Table([[left, right]], colWidths=(70 * mm, 104 * mm))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _signature(letterhead: Letterhead, styles: dict) -> KeepTogether:
    """Where the report goes (Nơi nhận) and the signer's block."""
    receivers = [Paragraph("<b>Nơi nhận:</b>", styles["body"]),
                 _p("- Chủ tịch Ủy ban nhân dân;", styles["cell"]),
                 _p("- Các đơn vị được khảo sát;", styles["cell"]),
                 _p("- Lưu: VT.", styles["cell"])]
    signer = [_p(letterhead.signer.upper(), styles["centre_bold"]),
              Paragraph("<i>(Ký, ghi rõ họ tên, đóng dấu)</i>", styles["centre"])]
    table = Table([[receivers, signer]], colWidths=(80 * mm, 94 * mm))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([Spacer(1, 10 * mm), table, Spacer(1, 22 * mm)])


def _district_summary(results: Mapping[str, Any], styles: dict) -> list[Any]:
    district = results.get("district") if isinstance(results.get("district"), Mapping) else {}
    overall = t.stat(district, "overall")
    flow: list[Any] = [_p(f"Tổng hợp: {t.district_name(results)}", styles["h2"])]
    flow.append(_p(
        f"Chỉ số chung {t.show(overall.get('index'))}% (khoảng tin cậy 95%: "
        f"{t.show(overall.get('ci_low'))}–{t.show(overall.get('ci_high'))}); "
        f"{t.show_count(district.get('n_valid'))} phiếu hợp lệ, "
        f"{t.show_count(district.get('n_excluded'))} phiếu không tính.", styles["body"]))
    note = t.unit_notes(results, district)
    if note:
        flow.append(_p(note, styles["body"]))
    rows = [[_p("Yếu tố", styles["head"]), _p("Chỉ số (%)", styles["head"]),
             _p("KTC 95% (%)", styles["head"])]]
    for code in t.element_codes(results):
        stat = t.stat(district, "elements", code)
        rows.append([_p(t.element_title(results, code), styles["cell"]),
                     _p(t.show(stat.get("index")), styles["number"]),
                     _p(f"{t.show(stat.get('ci_low'))}–{t.show(stat.get('ci_high'))}",
                        styles["number"])])
    if len(rows) > 1:
        flow += [Spacer(1, 4), _table(rows, (95 * mm, 30 * mm, 40 * mm))]
    return flow


def _ranked_table(results: Mapping[str, Any], units: list[Mapping[str, Any]],
                  styles: dict) -> Table:
    head = ["Hạng", "Đơn vị", "Chỉ số (%)", "KTC 95% (%)", "Phiếu hợp lệ", "Mẫu",
            "Điểm (khoảng)"]
    rows = [[_p(text, styles["head"]) for text in head]]
    for unit in units:
        overall = t.stat(unit, "overall")
        name = unit.get("unit_name") or ""
        note = t.unit_notes(results, unit)
        rows.append([_p(t.show_count(unit.get("rank")), styles["number"]),
                     _p(f"{name} — {note}" if note else name, styles["cell"]),
                     _p(t.show(overall.get("index")), styles["number"]),
                     _p(f"{t.show(overall.get('ci_low'))}–{t.show(overall.get('ci_high'))}",
                        styles["number"]),
                     _p(t.show_count(unit.get("n_valid")), styles["number"]),
                     _p(t.sample_label(unit), styles["cell"]),
                     _p(t.points_text(unit), styles["number"])])
    # wide enough that no heading breaks inside a word ("Hạng", "Phiếu hợp lệ")
    widths = (13 * mm, 51 * mm, 17 * mm, 24 * mm, 17 * mm, 20 * mm, 32 * mm)
    return _table(rows, widths)


def _rows_with_district(results: Mapping[str, Any], units: list[Mapping[str, Any]]
                        ) -> list[tuple[Mapping[str, Any], str]]:
    """The units in report order with their names, then the district's total."""
    rows = [(unit, str(unit.get("unit_name") or unit.get("unit_code") or "")) for unit in units]
    if isinstance(results.get("district"), Mapping):
        rows.append((results["district"], t.district_name(results)))
    return rows


def _interval_text(stat: Mapping[str, Any]) -> str:
    """"83,94" over "80,10–87,20": an index and its 95% interval in one cell."""
    if t.number(stat.get("index")) is None:
        return t.show(None)
    interval = f"{t.show(stat.get('ci_low'))}–{t.show(stat.get('ci_high'))}"
    return f"{t.show(stat.get('index'))}\n{interval}"


def _matrix(results: Mapping[str, Any], units: list[Mapping[str, Any]], styles: dict,
            part: str, codes: list[str], headings: list[str]) -> Table:
    """Units down, ``codes`` of ``part`` across, each cell an index over its interval."""
    regular, _ = register_fonts()
    name_width = 52 * mm
    column = min(30 * mm, (174 * mm - name_width) / max(len(codes), 1))
    rows: list[list[Any]] = [[_p("Đơn vị", styles["head"]),
                              *(_p(text, styles["head"]) for text in headings)]]
    for unit, name in _rows_with_district(results, units):
        rows.append([_p(name, styles["cell"]),
                     *(_interval_text(t.stat(unit, part, code)) for code in codes)])
    table = _table(rows, (name_width, *([column] * len(codes))))
    # plain strings, not paragraphs: a province's 120 units × 22 criteria stay quick to lay out
    table.setStyle(TableStyle([("FONTNAME", (1, 1), (-1, -1), regular),
                               ("FONTSIZE", (1, 1), (-1, -1), 7.5),
                               ("LEADING", (1, 1), (-1, -1), 9),
                               ("ALIGN", (1, 1), (-1, -1), "RIGHT")]))
    return table


def _elements_by_unit(results: Mapping[str, Any], units: list[Mapping[str, Any]],
                      styles: dict) -> list[Any]:
    """Each unit's element indices, as the workbook's summary sheet has them."""
    elements = t.element_codes(results)
    if not elements or not units:
        return []
    return [_p("Chỉ số theo yếu tố của từng đơn vị (%, dòng dưới: KTC 95%)", styles["h2"]),
            _matrix(results, units, styles, "elements", elements,
                    [t.element_title(results, code) for code in elements])]


def _criteria_appendix(results: Mapping[str, Any], units: list[Mapping[str, Any]],
                       styles: dict) -> list[Any]:
    """The workbook's criteria sheet: the list of criteria, then one table per element."""
    criteria = t.criterion_codes(results)
    if not criteria or not units:
        return []
    element_of = t.element_of(results)
    legend = [[_p(text, styles["head"]) for text in ("Mã", "Tiêu chí", "Yếu tố")]]
    legend += [[_p(code, styles["cell"]), _p(t.criterion_text(results, code), styles["cell"]),
                _p(t.element_title(results, element_of.get(code, "")) if element_of.get(code)
                   else "", styles["cell"])] for code in criteria]
    flow: list[Any] = [_p("Phụ lục: Chỉ số theo tiêu chí", styles["h2"]),
                       _p("Số câu trả lời hợp lệ và điểm bình quân của từng tiêu chí: xem sổ "
                          "tính (XLSX), trang \"Tiêu chí\".", styles["body"]),
                       Spacer(1, 4), _table(legend, (14 * mm, 120 * mm, 40 * mm))]
    groups: dict[str, list[str]] = {}
    for code in criteria:
        groups.setdefault(element_of.get(code, ""), []).append(code)
    for element, codes in groups.items():
        title = t.element_title(results, element) if element else "Tiêu chí khác"
        for start in range(0, len(codes), 6):  # at most six criteria across an A4 page
            part = codes[start:start + 6]
            flow += [_p(f"{title} (%, dòng dưới: KTC 95%)", styles["h3"]),
                     _matrix(results, units, styles, "criteria", part, part)]
    return flow


def _table(rows: list[list[Any]], widths: tuple[float, ...]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b0b0")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde7f3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def interval_drawing(results: Mapping[str, Any], units: list[Mapping[str, Any]]) -> Drawing:
    """Horizontal bars of the overall index with 95% whiskers, drawn with ReportLab shapes."""
    regular, _ = register_fonts()
    row_height, label_width, top, bottom = 14.0, 62 * mm, 6.0, 18.0
    plot_width = CHART_WIDTH - label_width - 6
    height = top + bottom + row_height * len(units)
    drawing = Drawing(CHART_WIDTH, height)

    def x_of(value: float) -> float:
        return label_width + plot_width * min(max(value, 0.0), 100.0) / 100.0

    for tick in range(0, 101, 20):
        x = x_of(tick)
        drawing.add(Line(x, bottom, x, height - top, strokeColor=colors.HexColor("#dddddd"),
                         strokeWidth=0.4))
        drawing.add(String(x, bottom - 10, str(tick), fontName=regular, fontSize=7,
                           textAnchor="middle"))
    for position, unit in enumerate(units):
        y = height - top - row_height * (position + 1) + 3
        name = str(unit.get("unit_name") or unit.get("unit_code") or "")
        drawing.add(String(label_width - 4, y + 2, name if len(name) <= 38 else name[:37] + "…",
                           fontName=regular, fontSize=7.5, textAnchor="end"))
        overall = t.stat(unit, "overall")
        index, low, high = (t.number(overall.get(key)) for key in ("index", "ci_low", "ci_high"))
        if index is None:
            drawing.add(String(x_of(0) + 2, y + 2, "—", fontName=regular, fontSize=7.5))
            continue
        drawing.add(Rect(x_of(0), y, x_of(index) - x_of(0), row_height - 6, fillColor=BAR_COLOUR,
                         strokeColor=None))
        if low is not None and high is not None:
            middle = y + (row_height - 6) / 2
            drawing.add(Line(x_of(low), middle, x_of(high), middle, strokeColor=WHISKER_COLOUR,
                             strokeWidth=0.8))
            for end in (low, high):
                drawing.add(Line(x_of(end), middle - 3, x_of(end), middle + 3,
                                 strokeColor=WHISKER_COLOUR, strokeWidth=0.8))
    return drawing


def _method_note(results: Mapping[str, Any], styles: dict) -> list[Any]:
    flow: list[Any] = [_p("Ghi chú phương pháp", styles["h2"])]
    for what, value in t.approval_lines(results):
        flow.append(_p(f"{what}: {value}", styles["body"]))
    for what, value in t.excluded_lines(results):
        flow.append(_p(f"Không tính — {what}: {value}", styles["body"]))
    for what, value in t.definitions(results):
        flow.append(_p(f"{what}: {value}", styles["body"]))
    return flow
