"""Plain dataclasses describing an instrument (questionnaire) and its parts.

They hold no behaviour beyond look-ups, import nothing from Flask or the web
application, and are what ``analysis`` receives as "instrument structure".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Value stored for "Không áp dụng / không ý kiến": not a rating, leaves the denominator.
NOT_APPLICABLE = 0

#: Codes of the two ways to aggregate a unit's overall index (METHODOLOGY §3).
HEADLINE_METHODS = ("mean-of-elements", "pooled", "mean-of-criteria")
#: How a district figure weighs its units (METHODOLOGY §3, weighting).
WEIGHTINGS = ("respondent", "dossier")


@dataclass(frozen=True)
class Option:
    """One allowed answer: the stored code and the label shown to people."""

    value: str | int
    label: str


@dataclass(frozen=True)
class Scale:
    """An answer scale shared by several items."""

    code: str
    options: tuple[Option, ...]
    #: Label of the "not applicable" choice, or None when the scale has none.
    not_applicable: str | None = None
    #: Values counted as "satisfied" (4 and 5 on the satisfaction scale).
    satisfied: frozenset[int] = frozenset()
    #: True when answers on this scale enter the satisfaction indices.
    rating: bool = False

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(int(option.value) for option in self.options)

    def label_for(self, value: int) -> str:
        """Label of a stored value, including not-applicable."""
        if value == NOT_APPLICABLE and self.not_applicable:
            return self.not_applicable
        for option in self.options:
            if option.value == value:
                return option.label
        raise KeyError(value)

    def accepts(self, value: int) -> bool:
        """Whether ``value`` is a stored value this scale allows."""
        if value == NOT_APPLICABLE:
            return self.not_applicable is not None
        return value in self.values


@dataclass(frozen=True)
class Item:
    """One question; ``group`` is the code of its element or block."""

    code: str
    text: str
    group: str
    scale: Scale


@dataclass(frozen=True)
class Element:
    """A SIPAS element (yếu tố): a titled group of rating items."""

    code: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Block:
    """An optional block of non-rating questions a campaign may switch on."""

    code: str
    title: str
    items: tuple[Item, ...]
    #: Question put to the respondent above the block's items.
    prompt: str = ""


@dataclass(frozen=True)
class ProfileQuestion:
    """A respondent-profile question (respondent type, field, gender…)."""

    code: str
    label: str
    kind: str  # "choice" or "text"
    options: tuple[Option, ...] = ()
    required: bool = False
    max_length: int | None = None

    def option_codes(self) -> tuple[str, ...]:
        return tuple(str(option.value) for option in self.options)

    def label_for(self, code: str) -> str:
        for option in self.options:
            if option.value == code:
                return option.label
        raise KeyError(code)


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire: elements of rating items, optional blocks, profile."""

    code: str
    version: int
    title: str
    source: str
    scales: Mapping[str, Scale]
    elements: tuple[Element, ...]
    blocks: tuple[Block, ...] = ()
    profile: tuple[ProfileQuestion, ...] = ()
    intro: str = ""
    _items: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        everything = [item for element in self.elements for item in element.items]
        everything += [item for block in self.blocks for item in block.items]
        object.__setattr__(self, "_items", MappingProxyType({i.code: i for i in everything}))
        object.__setattr__(self, "scales", MappingProxyType(dict(self.scales)))

    @property
    def rating_items(self) -> tuple[Item, ...]:
        """Items that enter the indices, in questionnaire order."""
        return tuple(item for element in self.elements for item in element.items)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(self._items)

    def item(self, code: str) -> Item:
        return self._items[code]

    def has_item(self, code: str) -> bool:
        return code in self._items

    def block(self, code: str) -> Block:
        for block in self.blocks:
            if block.code == code:
                return block
        raise KeyError(code)

    def items_for(self, block_codes: tuple[str, ...] | list[str] = ()) -> tuple[Item, ...]:
        """Rating items plus the items of the switched-on optional blocks."""
        extra = [item for code in block_codes for item in self.block(code).items]
        return self.rating_items + tuple(extra)

    def profile_question(self, code: str) -> ProfileQuestion:
        for question in self.profile:
            if question.code == code:
                return question
        raise KeyError(code)

    def element_of(self) -> dict[str, str]:
        """Map each rating item code to its element code."""
        return {item.code: element.code for element in self.elements for item in element.items}

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"
