"""The PDF report is a Vietnamese administrative document (issue 13.9): Quốc hiệu and tiêu
ngữ, the issuing office and a number line, place and date, page numbers, headings that do not
break inside a word, right-aligned numbers, the approval line and a signature block."""

from __future__ import annotations

import io

import pypdfium2

from survey_app.domain.results.exports import write_report
from survey_app.domain.results.exports.pdf_report import Letterhead


def pages_text(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def report(results, **letterhead) -> bytes:
    stream = io.BytesIO()
    write_report(results, stream, Letterhead(**letterhead) if letterhead else None)
    return stream.getvalue()


def test_the_report_carries_the_administrative_header_and_signature(results):
    results = {**results, "computed_at": "2026-12-02T18:56:00+00:00",
               "approval": {"version": 1, "approved_by": "quantri",
                            "approved_by_name": "Nguyễn Văn A",
                            "approved_at": "2026-12-02T19:10:00+00:00",
                            "response_fingerprint": "ab" * 32, "n_counted": 523}}
    texts = pages_text(report(results, authority="UBND tỉnh Gia Lai", office="Sở Nội vụ",
                              place="Gia Lai", signer="Giám đốc"))
    first, every = " ".join(texts[0].split()), " ".join(" ".join(texts).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "Độc lập - Tự do - Hạnh phúc" in first
    assert "UBND TỈNH GIA LAI" in first and "SỞ NỘI VỤ" in first and "Số:" in first
    # the date of approval in Hà Nội time: 02/12 19:10 UTC is 03/12 02:10 local
    assert "Gia Lai, ngày 03 tháng 12 năm 2026" in first
    assert "BÁO CÁO" in first
    assert "Phê duyệt: Phiên bản 1, Nguyễn Văn A, 03/12/2026 02:10 (giờ Việt Nam)" in every
    assert "Nơi nhận:" in every and "GIÁM ĐỐC" in every and "(Ký, ghi rõ họ tên, đóng dấu)" in every


def test_every_page_is_numbered_of_the_total(results):
    texts = pages_text(report(results))
    total = len(texts)
    assert total >= 2
    for number, text in enumerate(texts, 1):
        assert f"Trang {number}/{total}" in text


def test_headings_do_not_break_inside_a_word(results):
    text = " ".join(pages_text(report(results)))
    lines = [line.strip() for line in text.splitlines()]
    assert any(line.startswith("Hạng Đơn vị") for line in lines)  # not "Hạn" / "g"
    assert not any(line.endswith(("Hạn", "Phiế")) or line in ("g", "u") for line in lines)


def test_numbers_are_right_aligned_in_their_column(results):
    document = pypdfium2.PdfDocument(report(results))
    try:
        page = document[0]
        textpage = page.get_textpage()
        rights = []
        for value in ("200", "173", "150"):  # valid responses of the three units
            searcher = textpage.search(value, match_whole_word=True)
            found = searcher.get_next()
            assert found is not None, value
            index, count = found
            _left, _bottom, right, _top = textpage.get_charbox(index + count - 1)
            rights.append(right)
    finally:
        document.close()
    assert max(rights) - min(rights) < 1.5  # points: the same right edge


def test_a_province_of_120_units_makes_a_report(results):
    # One chart 120 rows tall is higher than a page (ReportLab's LayoutError, a 500): the
    # chart is drawn in parts.
    template = results["units"][1]
    units = [{**template, "unit_code": f"xa-{n:03d}", "unit_name": f"Xã số {n:03d}",
              "rank": n} for n in range(1, 121)]
    texts = pages_text(report({**results, "units": units}))
    every = " ".join(texts)
    assert "Xã số 001" in every and "Xã số 120" in every
    assert f"Trang {len(texts)}/{len(texts)}" in texts[-1]


def _tokens(texts: list[str]) -> list[str]:
    return " ".join(texts).split()


def _follows(tokens: list[str], name: str, values: list[str]) -> bool:
    """Somewhere in ``tokens``, ``name``'s words are followed at once by ``values``."""
    words = name.split()
    for start in range(len(tokens) - len(words)):
        end = start + len(words)
        if tokens[start:end] == words and tokens[end:end + len(values)] == values:
            return True
    return False


def number_text(value: float) -> str:
    """Two decimals with a decimal comma, as every report shows them (83,94)."""
    return f"{value:.2f}".replace(".", ",")


def test_the_report_carries_the_criteria_and_elements_of_the_workbook(results):
    """Issue 13.9 "same content as the workbook": every unit's index and 95% interval for
    each element and each criterion, read back from the workbook's own sheets."""
    import openpyxl

    from survey_app.domain.results.exports import write_workbook

    for position, unit in enumerate(results["units"]):  # distinct numbers in every cell
        for offset, stat in enumerate(unit["criteria"].values()):
            if stat["index"] is not None:
                stat.update(index=50 + 10 * position + offset * 0.37,
                            ci_low=45 + 10 * position + offset * 0.37,
                            ci_high=55 + 10 * position + offset * 0.37)
    workbook_bytes = io.BytesIO()
    write_workbook(results, workbook_bytes)
    sheet = openpyxl.load_workbook(workbook_bytes, read_only=True)["Tiêu chí"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    tokens = _tokens(pages_text(report(results)))
    appendix = tokens[tokens.index("Phụ") if "Phụ" in tokens else 0:]
    assert "Phụ lục: Chỉ số theo tiêu chí" in " ".join(appendix)

    def cell(value) -> list[str]:
        return ["—"] if value is None else [number_text(value[0]),
                                           f"{number_text(value[1])}–{number_text(value[2])}"]

    by_unit: dict[str, dict[str, tuple]] = {}
    for _code, name, _element, criterion, text, index, low, high, *_ in rows:
        by_unit.setdefault(name, {})[criterion] = None if index is None else (index, low, high)
        assert text in " ".join(appendix) or text.split()[0] in appendix
    assert len(by_unit) == len(results["units"]) + 1  # and the district's total
    for name, criteria in by_unit.items():
        for element, items in results["labels"]["element_items"].items():
            expected = [part for code in items for part in cell(criteria[code])]
            assert _follows(appendix, name, expected), (name, element)
    # one "—", not a zero, where a unit has no valid answer (xã Đắk Hà's pa4)
    assert by_unit["UBND xã Đắk Hà"]["pa4"] is None


def test_the_report_lists_each_units_element_indices(results):
    tokens = _tokens(pages_text(report(results)))
    for unit in results["units"]:
        expected = []
        for stat in unit["elements"].values():
            expected += [number_text(stat["index"]),
                         f"{number_text(stat['ci_low'])}–{number_text(stat['ci_high'])}"]
        assert _follows(tokens, unit["unit_name"], expected), unit["unit_name"]
