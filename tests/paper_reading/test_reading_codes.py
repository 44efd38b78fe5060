"""Sheet codes and layouts: what the QR codes say, that the printer and the reader agree, that
later pages' QR band stays clear on every shipped instrument, and that the reading package
stays pure."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

import survey_app.domain.paper.reading as reading
from questionnaires import shipped_instruments
from survey_app.domain.paper import sheet_pdf
from survey_app.domain.paper.reading import Rejection, parse_sheet_code


@pytest.mark.parametrize("text, page, token, serial, pages", [
    ("https://khaosat.example.vn/p/AbC-_12345678xyz", 1, "AbC-_12345678xyz", None, None),
    ("http://10.0.0.5:8000/khaosat/p/abcdefghijklmnop", 1, "abcdefghijklmnop", None, None),
    ("KS:12345674:2/2", 2, None, "12345674", 2),
    ("KS:12345674:3/3", 3, None, "12345674", 3),
])
def test_sheet_codes_of_this_platform_are_understood(text, page, token, serial, pages):
    code = parse_sheet_code(text)
    assert (code.page, code.token, code.serial, code.pages) == (page, token, serial, pages)


@pytest.mark.parametrize("text", [
    "https://khaosat.example.vn/s/quaygiaodich01",   # a counter's poster
    "https://example.com/p/short",
    "https://khaosat.example.vn/p/abcdefghijklmnop?x=1",
    "KS:12345674:3/2", "KS:12345674:0/2", "KS:1234:2", "ks:12345674:2/2",
    "WIFI:S:quay1;T:WPA;P:secret;;", "",
])
def test_other_qr_codes_are_not_sheet_codes(text):
    assert parse_sheet_code(text) is None


def test_what_the_printer_writes_on_later_pages_the_reader_understands():
    code = parse_sheet_code(sheet_pdf.page_code("98765432", 2, 2))
    assert (code.serial, code.page, code.pages) == ("98765432", 2, 2)


def _tops_of(ops: list[tuple]) -> list[float]:
    """The highest point each drawing operation reaches (text: its font size above the line)."""
    tops = []
    for op in ops:
        kind = op[0]
        if kind in ("text", "ctext"):
            tops.append(op[2] + op[5])
        elif kind == "circle":
            tops.append(op[2] + op[3])
        elif kind == "line":
            tops.append(max(op[2], op[4]))
        elif kind == "rect":
            tops.append(op[2] + op[4])
    return tops


@pytest.mark.parametrize("code", sorted(shipped_instruments()))
def test_later_pages_keep_the_page_code_band_clear_for_every_block_choice(code):
    instrument = shipped_instruments()[code]
    blocks = [block.code for block in instrument.blocks]
    choices = [list(c) for n in range(len(blocks) + 1)
               for c in itertools.combinations(blocks, n)]
    quiet_zone = 4 * sheet_pdf.PAGE_QR_SIZE / 21
    for chosen in choices:
        plan = sheet_pdf.plan_sheet(instrument, chosen, None, title=instrument.title,
                                    unit_name="Xã Canh Hiển", campaign_name="Đợt 2026")
        for ops in plan.pages[1:]:
            assert max(_tops_of(ops)) <= sheet_pdf.PAGE_QR_Y - quiet_zone, (code, chosen)
        layout = sheet_pdf.layout_of(plan, 1)
        for page in layout["pages"][1:]:
            assert page["qr"]["y"] - quiet_zone >= max(
                r["y"] + r["h"] for r in layout["rows"] if r["page"] == page["page"])


FORBIDDEN = {"flask", "flask_sqlalchemy", "flask_login", "sqlalchemy", "werkzeug", "jinja2"}
ALLOWED = {"cv2", "numpy", "pypdfium2", "PIL", "zxingcpp"}


def test_the_reading_package_imports_no_web_framework_database_or_application_module():
    standard = {"__future__", "collections", "dataclasses", "enum", "functools", "io",
                "itertools", "re", "time", "typing", "warnings"}
    for path in sorted(Path(reading.__file__).parent.glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
        assert not imported & FORBIDDEN, path.name
        # Relative imports stay inside the package; nothing of survey_app outside it.
        assert imported <= ALLOWED | standard, (path.name, imported - ALLOWED - standard)


def test_the_public_api_is_exported_and_every_reason_is_vietnamese():
    assert len(reading.__all__) == len(set(reading.__all__))
    for name in reading.__all__:
        assert hasattr(reading, name), name
    for rejection in Rejection:
        message = rejection.message
        # A fragment, shown after the file and page: no capital, no full stop.
        assert message == message.strip() and not message[0].isupper()
        assert not message.endswith(".")
        assert any(ch in message for ch in "àáảãạăâđèéẻẽẹêìíỉĩịòóỏõọôơùúủũụưỳýỷỹỵ"), rejection
