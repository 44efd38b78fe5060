"""What a failed browser test leaves behind: a screenshot and the HTML of each page it opened."""

from __future__ import annotations

import re
from pathlib import Path

#: Git-ignored.
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def save_on_failure(request, page, suffix: str = "", folder: Path = ARTIFACTS) -> None:
    """If the test of ``request`` failed, save ``page`` as ``<test id><suffix>.png/.html``."""
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:] + suffix
    try:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        (folder / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # the page may be gone; the test's own failure matters more
        (folder / f"{name}.txt").write_text(f"no screenshot: {error}", encoding="utf-8")
