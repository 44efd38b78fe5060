"""The cuts results are grouped by: one registry of each cut's column and Vietnamese names.

Counting, the JSON document, the command line, the pages and every download read their cuts
from here, so a cut is named the same everywhere and in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String

from ...errors import DomainError
from ...models import Response


@dataclass(frozen=True)
class Cut:
    """One way of grouping responses."""

    name: str
    #: The response column holding the group key, and the SQL type of its values.
    column: Any
    sql_type: Any
    #: A column heading ("Lĩnh vực") and a sheet or section title ("Theo lĩnh vực").
    label: str
    title: str
    #: The cut in a file name, without diacritics ("linh-vuc").
    slug: str = ""
    #: Shown on a unit's results page (the others are in the downloads and the CLI).
    on_unit_page: bool = False

    @property
    def integer_keys(self) -> bool:
        return self.sql_type is Integer


#: The unit itself: every computation groups by it; not a cut a user chooses.
UNIT = Cut("unit", Response.unit_id, Integer, "Đơn vị", "Theo đơn vị", "don-vi")

#: The cuts a user may choose (``--by``, ``?by=``), in the order they are shown.
CUTS: dict[str, Cut] = {cut.name: cut for cut in (
    Cut("field", Response.field, String(40), "Lĩnh vực", "Theo lĩnh vực", "linh-vuc",
        on_unit_page=True),
    Cut("channel", Response.channel, String(20), "Kênh trả lời", "Theo kênh trả lời",
        "kenh-tra-loi", on_unit_page=True),
    Cut("counter", Response.counter_id, Integer, "Quầy", "Theo quầy", "quay"),
    Cut("respondent_type", Response.respondent_type, String(20), "Đối tượng trả lời",
        "Theo đối tượng", "doi-tuong"),
)}

#: Every grouping counting knows: the unit and the cuts.
GROUPINGS: dict[str, Cut] = {UNIT.name: UNIT, **CUTS}

#: The cuts of a unit's results page.
UNIT_PAGE_CUTS: tuple[Cut, ...] = tuple(cut for cut in CUTS.values() if cut.on_unit_page)


class UnknownCut(DomainError):
    """A cut name nobody registered."""


def cut_named(name: str) -> Cut:
    """The registered cut, or a Vietnamese refusal listing the ones there are."""
    try:
        return CUTS[name]
    except KeyError:
        raise UnknownCut(f"Không thể phân tích theo “{name}”; chọn một trong: "
                         f"{', '.join(CUTS)}.") from None


def heading(name: str | None) -> str:
    """The column heading of a cut named in a results document (old ones included)."""
    cut = CUTS.get(name or "")
    return cut.label if cut is not None else (name or "Nhóm")


def title(name: str | None) -> str:
    """The sheet title of a cut named in a results document (at most 31 characters)."""
    cut = CUTS.get(name or "")
    return cut.title if cut is not None else f"Theo {name or 'nhóm'}"[:31]
