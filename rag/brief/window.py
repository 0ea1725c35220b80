"""Which article dates a briefing covers: a day, or a time window in a stated time zone.

Articles carry dates, not times, so a window such as `--since 24h` selects the
calendar dates it touches in the time zone (RAG_TZ or --tz; UTC by default):
run at 06:00 in Riyadh, the last 24 hours cover yesterday and today. The
briefing is named after the window's last date and says which dates it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rag.errors import UserInputError

_DURATION = re.compile(r"^\s*(\d+)\s*([hdm])\s*$", re.IGNORECASE)
MAX_DAYS = 31


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    tz: str

    @property
    def dates(self) -> list[str]:
        first, last = self.start.date(), self.end.date()
        return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]

    def to_json(self) -> dict:
        return {
            "from": self.start.isoformat(timespec="minutes"),
            "to": self.end.isoformat(timespec="minutes"),
            "tz": self.tz,
        }


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise UserInputError(f"unknown time zone {name!r}: use an IANA name such as Asia/Riyadh or UTC") from None


def parse_duration(value: str) -> timedelta:
    match = _DURATION.match(value or "")
    if not match:
        raise UserInputError(f"invalid --since {value!r}: expected a duration such as 24h, 2d or 90m")
    amount, unit = int(match.group(1)), match.group(2).lower()
    delta = {"h": timedelta(hours=amount), "d": timedelta(days=amount), "m": timedelta(minutes=amount)}[unit]
    if delta <= timedelta(0) or delta > timedelta(days=MAX_DAYS):
        raise UserInputError(f"--since {value!r}: expected more than 0 and at most {MAX_DAYS} days")
    return delta


def parse_moment(value: str, tz: ZoneInfo, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserInputError(f"invalid {option} {value!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def since_window(duration: str, tz_name: str | None, now: datetime | None = None) -> Window:
    tz = zone(tz_name)
    end = (now or datetime.now(tz)).astimezone(tz)
    return Window(end - parse_duration(duration), end, tz.key)


def range_window(start: str, end: str | None, tz_name: str | None, now: datetime | None = None) -> Window:
    tz = zone(tz_name)
    first = parse_moment(start, tz, "--from")
    last = parse_moment(end, tz, "--to") if end else (now or datetime.now(tz)).astimezone(tz)
    if last < first:
        raise UserInputError("--to is before --from")
    if (last.date() - first.date()).days > MAX_DAYS:
        raise UserInputError(f"the window covers more than {MAX_DAYS} days")
    return Window(first, last, tz.key)


def day_window(day: str, tz_name: str | None) -> Window:
    tz = zone(tz_name)
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), tz)
    return Window(start, start + timedelta(hours=23, minutes=59), tz.key)


def choose_window(day: str | None, since: str | None, start: str | None, end: str | None, tz_name: str) -> Window:
    """The window of `rag brief`'s options: --since, --from/--to, or one day (default: today in the zone)."""
    if since is not None:
        return since_window(since, tz_name)
    if start is not None:
        return range_window(start, end, tz_name)
    if day is None or day == "today":
        return day_window(datetime.now(zone(tz_name)).date().isoformat(), tz_name)
    try:
        return day_window(date.fromisoformat(day).isoformat(), tz_name)
    except ValueError:
        raise UserInputError(f"invalid date {day!r}: expected YYYY-MM-DD") from None
