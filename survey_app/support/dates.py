"""Dates as people in the district write and read them (dd/mm/yyyy, local time)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: The zone of a district in Vietnam (``Config.TIMEZONE``), used outside an app.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def local_zone() -> ZoneInfo:
    """The district's time zone (``SURVEY_TIMEZONE``); the default one outside an app."""
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def today_local() -> date:
    """Today's date in the district's time zone (deadlines are local dates)."""
    return datetime.now(local_zone()).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


_VN_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: Days a district office can mean (the calendar's ends are typing mistakes).
DAY_YEARS = range(1900, 3000)


def parse_day(text: str) -> date | None:
    """``dd/mm/yyyy`` (or ISO ``yyyy-mm-dd``) → a date; None when it is not a real day."""
    text = text.strip()
    vietnamese, iso = _VN_DAY.match(text), _ISO_DAY.match(text)
    if vietnamese:
        day, month, year = (int(part) for part in vietnamese.groups())
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        return None
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if found.year in DAY_YEARS else None


def parse_when(text: str) -> datetime | None:
    """``dd/mm/yyyy [HH:MM[:SS]]`` or ISO 8601; local time unless an offset is given; UTC out."""
    text = text.strip()
    if not text:
        return None
    match = _VN_DATE.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = (int(part) if part else 0
                                                      for part in match.groups())
            moment = datetime(year, month, day, hour, minute, second)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 01/01/0001 or 31/12/9999 at the calendar's ends: not a real date
        return None
