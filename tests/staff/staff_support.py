"""Helpers of the staff-tool tests: what a person types for a sheet, responses stored through
the app's builder, and reading QR codes and text back out of PDFs and images."""

from __future__ import annotations

import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageDraw

from survey_app.domain.campaigns.instruments import instrument_of
from survey_app.domain.paper.serials import display_serial
from survey_app.domain.submissions.responses import Submission, build_response
from survey_app.extensions import db
from survey_app.models import Channel


def decode_qr(image: Image.Image) -> list[str]:
    """The texts of every QR code a real decoder finds in ``image``."""
    return [result.text for result in zxingcpp.read_barcodes(image)
            if result.format == zxingcpp.BarcodeFormat.QRCode]


def pdf_pages(body: bytes, scale: float = 2.0) -> list[Image.Image]:
    """Each page of a PDF rendered to an image."""
    document = pdfium.PdfDocument(body)
    try:
        return [page.render(scale=scale).to_pil() for page in document]
    finally:
        document.close()


def pdf_texts(body: bytes) -> list[str]:
    """The text of each page of a PDF, NFC-normalised with whitespace collapsed."""
    document = pdfium.PdfDocument(body)
    texts = []
    try:
        for page in document:
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            textpage.close()
            texts.append(normalised(raw))
    finally:
        document.close()
    return texts


def normalised(text: str) -> str:
    """NFC text with every run of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_count(body: bytes) -> int:
    document = pdfium.PdfDocument(body)
    try:
        return len(document)
    finally:
        document.close()


_RECT = re.compile(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H([\d.]+)z")


def render_svg_qr(svg: bytes, module_px: int = 8) -> Image.Image:
    """Rasterise the QR SVG (one path of module squares) so a decoder can read it.

    No SVG renderer is installed here; the path qrcode writes is only axis-aligned
    squares, which this draws exactly.
    """
    root = ET.fromstring(svg)  # noqa: S314 (the application's own output)
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    path = next(el for el in root.iter() if el.tag.endswith("path"))
    image = Image.new("L", (int(width * module_px), int(height * module_px)), 255)
    draw = ImageDraw.Draw(image)
    squares = _RECT.findall(path.attrib["d"])
    assert squares, "the SVG path holds no squares"
    for x1, y1, x2, y2, _x3 in squares:
        draw.rectangle([float(x1) * module_px, float(y1) * module_px,
                        float(x2) * module_px - 1, float(y2) * module_px - 1], fill=0)
    return image


def png_image(body: bytes) -> Image.Image:
    return Image.open(io.BytesIO(body))


def fresh() -> None:
    """End the test's read transaction, so reads see what requests committed since."""
    from survey_app.extensions import db

    db.session.rollback()


RATING_CODES = [*(f"tc{i}" for i in range(1, 5)), *(f"tt{i}" for i in range(1, 6)),
                *(f"cc{i}" for i in range(1, 7)), *(f"kq{i}" for i in range(1, 4)),
                *(f"pa{i}" for i in range(1, 5))]


def typed(serial: str, digit: str = "4", **changes: str) -> dict[str, str]:
    """What a person types for a sheet: every item ``digit``, respondent type, a comment."""
    form = {"serial": display_serial(serial), **dict.fromkeys(RATING_CODES, digit),
            "respondent_type": "ca_nhan", "gender": "nu", "comment": "Cán bộ nhiệt tình"}
    form.update(changes)
    return form


def add_responses(campaign, unit, channel: Channel, count: int, flag: str | None = None,
                  key: str = "k") -> None:
    """Store ``count`` complete responses through the shared response builder."""
    version = campaign.instrument_version
    submission = Submission(answers=dict.fromkeys(RATING_CODES, 4),
                            profile={"respondent_type": "ca_nhan"})
    for index in range(count):
        db.session.add(build_response(
            campaign=campaign, unit=unit, version=version, instrument=instrument_of(version),
            submission=submission, key=f"{key}-{unit.code}-{channel}-{index}", channel=channel,
            submitted_at=datetime.now(UTC), flag_reason=flag))
    db.session.commit()
