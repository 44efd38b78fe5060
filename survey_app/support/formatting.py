"""Vietnamese formatting, in one place: numbers and moments as people here read them.

Numbers: decimal comma, a dot between thousands, rounded half-up on the decimal a person
reads (``analysis.display``, METHODOLOGY §3), "—" when undefined. Dates: dd/mm/yyyy; moments
in the local time of ``SURVEY_TIMEZONE`` (Asia/Ho_Chi_Minh), dd/mm/yyyy HH:MM. Pages (as
Jinja filters), the workbook, the CSV, the PDF report and the command line all call these, so a
number or a time reads the same wherever it is shown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from analysis.display import MISSING, format_number, format_percent, round_half_up

from .dates import local_zone

#: Names of the zones people here know by another name.
ZONE_NAMES = {"Asia/Ho_Chi_Minh": "giờ Việt Nam", "Asia/Saigon": "giờ Việt Nam"}


def number_text(value: float | None, decimals: int = 0) -> str:
    """1234.5 → "1.235" (``decimals=0``), "1.234,5" (1); "—" when undefined."""
    return format_number(value, decimals)


def count_text(number: int | None, language: str = "vi") -> str:
    """A whole number with Vietnamese thousands separators: 1.234; "—" when undefined.
    On an English page (``language="en"``) with English ones: 1,234."""
    text = format_number(number, 0)
    return text.replace(".", ",") if language == "en" else text


def percent_text(value: float | None, decimals: int = 2) -> str:
    """An index or a share in percent: 83.945 → "83,95%"; "—" when undefined."""
    return format_percent(value, decimals)


def date_text(day: date | None) -> str:
    """A date as people here write it: dd/mm/yyyy; "—" when there is none."""
    return MISSING if day is None else day.strftime("%d/%m/%Y")


def local_moment(moment: datetime) -> datetime:
    """``moment`` in local time; a naive moment is UTC (how the database keeps them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone())


def datetime_text(moment: datetime | None) -> str:
    """A moment in local time: dd/mm/yyyy HH:MM (a report made at 01:56 local on 03/12
    says 03/12, not the UTC date 02/12)."""
    return MISSING if moment is None else local_moment(moment).strftime("%d/%m/%Y %H:%M")


def seconds_text(moment: datetime | None) -> str:
    """A moment in local time to the second (bursts are seconds apart): dd/mm/yyyy HH:MM:SS."""
    return MISSING if moment is None else local_moment(moment).strftime("%d/%m/%Y %H:%M:%S")


def zone_name() -> str:
    """What to call the local time next to a moment: "giờ Việt Nam", else the zone's key."""
    key = local_zone().key
    return ZONE_NAMES.get(key, key)


__all__ = ["MISSING", "count_text", "date_text", "datetime_text", "format_number",
           "format_percent", "local_moment", "number_text", "percent_text", "round_half_up",
           "seconds_text", "zone_name"]
