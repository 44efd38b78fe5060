"""QR codes of public addresses: as PNG, as SVG, and drawn as vectors on a PDF canvas; and
the content of ODK Collect's configuration QR code."""

from __future__ import annotations

import base64
import io
import json
import math
import zlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

#: White modules kept around the code, as the QR standard asks.
QUIET_ZONE = 4


def _code(data: str, border: int = QUIET_ZONE, mask: int | None = None) -> Any:
    import qrcode  # with Pillow: imported on first use, not at the app's start-up
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, mask_pattern=mask)
    code.add_data(data)
    code.make(fit=True)
    return code


@lru_cache(maxsize=4096)
def qr_matrix(data: str, mask: int | None = None) -> tuple[tuple[bool, ...], ...]:
    """The dark/light modules of ``data``'s QR code, without the quiet zone.

    ``mask`` fixes the mask pattern instead of trying all eight for the "best" one; every
    mask is valid, and skipping the search makes a code about eight times cheaper, which
    matters for thousands of sheets.
    """
    return tuple(tuple(row) for row in _code(data, border=0, mask=mask).get_matrix())


#: Smallest side of a QR image for printing: sharp on an A4 poster at 300 dpi.
PRINT_PIXELS = 1200


def qr_png(data: str, min_pixels: int = PRINT_PIXELS) -> bytes:
    """A PNG image of the QR code (with its quiet zone), at least ``min_pixels`` wide, each
    module a whole number of pixels (no blurred edges)."""
    code = _code(data)
    modules = len(code.get_matrix())  # the quiet zone included
    code.box_size = max(1, math.ceil(min_pixels / modules))
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """An SVG image of the QR code (one path, with its quiet zone)."""
    import qrcode.image.svg

    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float,
            mask: int | None = None) -> None:
    """Draw the QR code as vector squares in the ``size``-point square at (x, y) bottom-left.

    The caller leaves a white margin of about four modules around it (the quiet zone).
    """
    matrix = qr_matrix(data, mask)
    count = len(matrix)
    rects = []
    for row_index, row in enumerate(matrix):
        top = count - row_index - 1
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            begin = column
            while column < count and row[column]:
                column += 1
            # Runs of dark modules are merged: fewer shapes, no hairline seams when rendered.
            rects.append(f"{begin} {top} {column - begin} 1 re")
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    # Drawn in module units with whole-number coordinates, written as PDF path operators
    # directly: thousands of sheets stay fast and their page content short.
    canvas.translate(x, y)
    canvas.scale(size / count, size / count)
    canvas.addLiteral("\n".join(rects) + "\nf")
    canvas.restoreState()


def collect_settings(server_url: str, username: str, project: str) -> str:
    """What ODK Collect's (and KoboCollect's) "configure with a QR code" reads.

    base64 of the zlib-compressed settings JSON (docs.getodk.org, "Importing and exporting
    settings"): the server address and the user name; never the password, which the
    collector types once in the project's server settings. ``admin`` stays empty (nothing
    locked); ``project`` names the project Collect creates, so the units stay apart.
    """
    settings = {"general": {"server_url": server_url, "username": username}, "admin": {},
                "project": {"name": project}}
    text = json.dumps(settings, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode("utf-8"))).decode("ascii")
