"""Plain dataclasses describing an instrument (questionnaire) and its parts.

They hold no behaviour beyond look-ups, import nothing from Flask or the web
application, and are what ``analysis`` receives as "instrument structure".

Every text people read has an optional English wording beside it (``label_en``, ``text_en``,
``title_en``…; ``None`` when the file has none). The ``…_for(locale)`` methods return the
wording for a language as a ``Wording``, falling back to the Vietnamese (the official text)
and saying so when the language asked for has none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

#: Value stored for "Không áp dụng / không ý kiến": not a rating, leaves the denominator.
NOT_APPLICABLE = 0

#: Codes of the two ways to aggregate a unit's overall index (METHODOLOGY §3).
HEADLINE_METHODS = ("mean-of-elements", "pooled", "mean-of-criteria")
#: How a district figure weighs its units (METHODOLOGY §3, weighting).
WEIGHTINGS = ("respondent", "dossier")

VIETNAMESE = "vi"
ENGLISH = "en"

#: Assumed answering pace on a phone (docs/public-form.md): reading the introduction, each
#: rated statement (read, choose one of five), each profile question.
READING_SECONDS = 20
RATING_SECONDS = 8
CHOICE_SECONDS = 6


class Wording(NamedTuple):
    """A text, the language it is in, and whether it stands in for a missing translation."""

    text: str
    language: str
    #: True when the language asked for has no wording and the Vietnamese is given instead.
    fallback: bool = False


def language_of(locale: object) -> str:
    """The language part of a locale ("en" for "en", "en_GB", "en-GB" or a babel Locale)."""
    return str(locale).replace("-", "_").split("_")[0].lower()


def wording(vietnamese: str, english: str | None, locale: object) -> Wording:
    """The English wording when it is asked for and exists, else the Vietnamese one."""
    language = language_of(locale)
    if not vietnamese:  # an absent text (no intro, no prompt) is missing in no language
        return Wording("", language)
    if language == ENGLISH and english:
        return Wording(english, ENGLISH)
    return Wording(vietnamese, VIETNAMESE, fallback=language != VIETNAMESE)


@dataclass(frozen=True)
class Option:
    """One allowed answer: the stored code and the label shown to people."""

    value: str | int
    label: str
    label_en: str | None = None

    def label_for(self, locale: object) -> Wording:
        """The label in ``locale``'s language, or the Vietnamese one."""
        return wording(self.label, self.label_en, locale)


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
    not_applicable_en: str | None = None

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

    def not_applicable_for(self, locale: object) -> Wording | None:
        """The "not applicable" label in ``locale``'s language (None without that choice)."""
        if self.not_applicable is None:
            return None
        return wording(self.not_applicable, self.not_applicable_en, locale)

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
    text_en: str | None = None

    def text_for(self, locale: object) -> Wording:
        """The question in ``locale``'s language, or the Vietnamese one."""
        return wording(self.text, self.text_en, locale)


@dataclass(frozen=True)
class Element:
    """A SIPAS element (yếu tố): a titled group of rating items."""

    code: str
    title: str
    items: tuple[Item, ...]
    title_en: str | None = None

    def title_for(self, locale: object) -> Wording:
        return wording(self.title, self.title_en, locale)


@dataclass(frozen=True)
class Block:
    """An optional block of non-rating questions a campaign may switch on."""

    code: str
    title: str
    items: tuple[Item, ...]
    #: Question put to the respondent above the block's items.
    prompt: str = ""
    title_en: str | None = None
    prompt_en: str | None = None

    def title_for(self, locale: object) -> Wording:
        return wording(self.title, self.title_en, locale)

    def prompt_for(self, locale: object) -> Wording:
        return wording(self.prompt, self.prompt_en, locale)


@dataclass(frozen=True)
class ProfileQuestion:
    """A respondent-profile question (respondent type, field, gender…)."""

    code: str
    label: str
    kind: str  # "choice" or "text"
    options: tuple[Option, ...] = ()
    required: bool = False
    max_length: int | None = None
    label_en: str | None = None

    def text_for(self, locale: object) -> Wording:
        """The question (its ``label``) in ``locale``'s language, or the Vietnamese one."""
        return wording(self.label, self.label_en, locale)

    def option_codes(self) -> tuple[str, ...]:
        return tuple(str(option.value) for option in self.options)

    def label_for(self, code: str) -> str:
        return self.option(code).label

    def option(self, code: str) -> Option:
        """The choice stored as ``code`` (its labels in every language)."""
        for option in self.options:
            if option.value == code:
                return option
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
    title_en: str | None = None
    intro_en: str | None = None
    _items: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        everything = [item for element in self.elements for item in element.items]
        everything += [item for block in self.blocks for item in block.items]
        object.__setattr__(self, "_items", MappingProxyType({i.code: i for i in everything}))
        object.__setattr__(self, "scales", MappingProxyType(dict(self.scales)))

    def title_for(self, locale: object) -> Wording:
        return wording(self.title, self.title_en, locale)

    def intro_for(self, locale: object) -> Wording:
        return wording(self.intro, self.intro_en, locale)

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

    def minutes(self, block_codes: tuple[str, ...] | list[str] = ()) -> int:
        """About how long answering takes on a phone, in whole minutes (rounded up): the
        promise the home page and the posters make (docs/public-form.md)."""
        seconds = (READING_SECONDS + RATING_SECONDS * len(self.items_for(block_codes))
                   + CHOICE_SECONDS * len(self.profile))
        return max(1, math.ceil(seconds / 60))

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
