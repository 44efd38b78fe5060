"""The repository documents itself: the method and the design rules ship under docs/, kept in
step with the team's copies, and no document points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.mark.parametrize(("shared", "shipped"), [("METHODOLOGY.md", "docs/methodology.md"),
                                                 ("DESIGN.md", "docs/design.md")])
def test_the_shipped_copy_is_in_step_with_the_teams(shared, shipped):
    source = SHARED / shared
    if not source.exists():
        pytest.skip(f"no {source} beside the repository to compare with")
    assert (ROOT / shipped).read_text(encoding="utf-8") == source.read_text(encoding="utf-8"), \
        f"copy {source} to {shipped}"


def test_no_document_points_outside_the_repository():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    outside = [(path.name, link) for path in documents
               for link in re.findall(r"\.\./[\w./-]+", path.read_text(encoding="utf-8"))]
    assert outside == []
