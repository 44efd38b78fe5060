"""What scanners and phones do to a page: resampling, rotation, perspective, light, blur, JPEG.

Each function takes a BGR page rendered at ``RENDER_DPI`` and a seeded generator, and returns
the degraded image (BGR) with a short description of what was done.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from bench.omr_synth import RENDER_DPI

#: The scanned area: A4 and a third of an inch around it (the whole glass of a flatbed), so a
#: page laid a few degrees askew keeps its corners.
SCAN_AREA_IN = (8.27 + 0.7, 11.69 + 0.7)


@dataclass(frozen=True)
class Degraded:
    """A degraded page: the image, its nominal resolution, and what was done."""

    image: np.ndarray
    dpi: float | None
    note: str
    #: Where the 300-dpi page's pixels went: 3×3 map to the degraded image's pixels.
    transform: np.ndarray | None = None


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """The image after a JPEG round trip at ``quality``."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    assert ok
    return cv2.imdecode(encoded, cv2.IMREAD_COLOR)


def _noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Sensor noise, drawn by OpenCV's fast generator seeded from ours."""
    if sigma <= 0:
        return image
    noise = np.empty(image.shape, np.int16)
    cv2.setRNGSeed(int(rng.integers(2**31)))
    cv2.randn(noise, 0.0, float(sigma))
    return cv2.add(image, noise, dtype=cv2.CV_8U)


def scan(page: np.ndarray, rng: np.random.Generator, *, dpi: int, max_rotation: float = 5.0,
         blur: float = 1.0, quality: tuple[int, int] | None = (40, 90), noise: float = 3.0,
         turn: int = 0, crop: bool = False) -> Degraded:
    """A flatbed scan at ``dpi``: the page a little rotated and shifted on the glass.

    ``turn`` 180 lays the page upside down; ``crop`` cuts a strip off one side, as a
    scanner set to a smaller paper size (or a page laid half off the glass) does.
    """
    # The sensor's resolution first (area averaging, as a CCD integrates), then the skew.
    factor = dpi / RENDER_DPI
    page = cv2.resize(page, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    height, width = page.shape[:2]
    out_w, out_h = round(SCAN_AREA_IN[0] * dpi), round(SCAN_AREA_IN[1] * dpi)
    angle = rng.uniform(-max_rotation, max_rotation) + turn
    shift = rng.uniform(-0.012, 0.012, 2) * (out_w, out_h)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    matrix[:, 2] += np.array([out_w / 2 - width / 2, out_h / 2 - height / 2]) + shift
    lid = int(rng.integers(236, 252))
    image = cv2.warpAffine(page, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                           borderValue=(lid, lid, lid))
    transform = np.vstack([matrix, [0, 0, 1]]) @ np.diag([factor, factor, 1.0])
    if crop:
        # Through the glass's margin and 3–8% into the page: a corner mark or the QR is lost.
        side = int(rng.integers(4))
        span = out_h if side < 2 else out_w
        cut = round((SCAN_AREA_IN[1] - 11.69) / 2 * dpi + rng.uniform(0.03, 0.08) * span)
        image = [image[cut:], image[:-cut], image[:, cut:], image[:, :-cut]][side]
        if side in (0, 2):
            transform = np.array([[1, 0, -cut * (side == 2)], [0, 1, -cut * (side == 0)],
                                  [0, 0, 1]]) @ transform
    sigma = rng.uniform(0, blur) * dpi / 200
    if sigma > 0.15:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    image = cv2.convertScaleAbs(image, alpha=rng.uniform(0.92, 1.04), beta=rng.uniform(-8, 8))
    image = _noise(image, rng.uniform(0, noise), rng)
    q = int(rng.integers(quality[0], quality[1] + 1)) if quality else None
    if q:
        image = jpeg(image, q)
    note = f"scan {dpi} dpi, {angle - turn:+.1f}°{' 180°' if turn else ''}" \
           f"{', cropped' if crop else ''}, blur {sigma:.1f}px, JPEG {q or '-'}"
    return Degraded(image, float(dpi), note, transform)


def _table(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A background: a tinted, softly textured table top."""
    height, width = shape
    base = rng.uniform(40, 150) * np.array([0.8, 0.9, 1.1]) * rng.uniform(0.8, 1.2, 3)
    small = rng.normal(0, 14, (height // 48 + 1, width // 48 + 1)).astype(np.float32)
    tinted = cv2.merge([small + np.float32(level) for level in base])
    return cv2.convertScaleAbs(cv2.resize(tinted, (width, height),
                                          interpolation=cv2.INTER_CUBIC))


def _light(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Uneven light: a gradient from one side, a vignette, sometimes a soft shadow.

    Smooth, so it is computed on a coarse grid and enlarged.
    """
    height, width = shape
    ys, xs = np.mgrid[0:height // 8, 0:width // 8].astype(np.float32)
    xs, ys = xs / (width // 8) - 0.5, ys / (height // 8) - 0.5
    direction = rng.uniform(0, 2 * np.pi)
    gradient = 1 + rng.uniform(0.1, 0.35) * (np.cos(direction) * xs + np.sin(direction) * ys)
    vignette = 1 - rng.uniform(0.1, 0.35) * (xs ** 2 + ys ** 2) * 2
    light = gradient * vignette * rng.uniform(0.75, 1.0)
    if rng.random() < 0.4:
        cx, cy = rng.uniform(-0.4, 0.4, 2)
        shadow = np.exp(-(((xs - cx) / 0.25) ** 2 + ((ys - cy) / 0.35) ** 2))
        light *= 1 - rng.uniform(0.15, 0.35) * shadow
    return cv2.resize(light.astype(np.float32), (width, height),
                      interpolation=cv2.INTER_LINEAR)


def photo(page: np.ndarray, rng: np.random.Generator, *, frame: tuple[int, int] = (2448, 3264),
          quality: tuple[int, int] = (40, 90), turn: int = 0) -> Degraded:
    """A hand-held phone photo: perspective, a table around the page, uneven light, blur."""
    width, height = frame
    fill = rng.uniform(0.62, 0.9)
    ph = fill * height
    factor = ph / page.shape[0]
    page = cv2.resize(page, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    page_h, page_w = page.shape[:2]
    pw = ph * page_w / page_h
    angle = np.radians(rng.uniform(-10, 10) + turn)
    corners = np.array([(-pw / 2, -ph / 2), (pw / 2, -ph / 2), (pw / 2, ph / 2),
                        (-pw / 2, ph / 2)])
    # Perspective: the edge nearer the lens looks longer, the far one shorter.
    tilt = rng.uniform(-0.09, 0.09, 2)
    corners[:, 0] *= 1 + tilt[0] * np.sign(corners[:, 1])
    corners[:, 1] *= 1 + tilt[1] * np.sign(corners[:, 0])
    corners += rng.normal(0, 0.012 * ph, corners.shape)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    target = corners @ rotation.T
    # The whole page in the frame (a page cut by the frame is another test), anywhere in it.
    margin = 0.015 * height
    span = target.max(axis=0) - target.min(axis=0)
    shrink = min(1.0, (width - 2 * margin) / span[0], (height - 2 * margin) / span[1])
    target *= shrink
    low = margin - target.min(axis=0)
    high = np.array([width, height]) - margin - target.max(axis=0)
    target += low + rng.uniform(0, 1, 2) * np.maximum(high - low, 0)
    source = np.float32([(0, 0), (page_w, 0), (page_w, page_h), (0, page_h)])
    matrix = cv2.getPerspectiveTransform(source, target.astype(np.float32))
    image = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_TRANSPARENT, dst=_table((height, width),
                                                                                rng))
    light = _light((height, width), rng)
    image = cv2.merge([cv2.multiply(channel, light, dtype=cv2.CV_8U)
                       for channel in cv2.split(image)])
    sigma = rng.uniform(0.4, 1.6)
    image = cv2.GaussianBlur(image, (0, 0), sigma)
    image = _noise(image, rng.uniform(2, 6), rng)
    q = int(rng.integers(quality[0], quality[1] + 1))
    image = jpeg(image, q)
    note = f"photo, page {fill:.0%} of the frame, tilt {tilt[0]:+.2f}/{tilt[1]:+.2f}, " \
           f"{np.degrees(angle) - turn:+.1f}°{' 180°' if turn else ''}, blur {sigma:.1f}px, " \
           f"JPEG {q}"
    return Degraded(image, None, note, matrix @ np.diag([factor, factor, 1.0]))
