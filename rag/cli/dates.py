"""Date option parsing for the CLI."""

from __future__ import annotations

from datetime import date, datetime

from rag.errors import UserInputError


def parse_date_option(value: str | None) -> str:
    """YYYY-MM-DD, or 'today'; anything else is a clear error."""
    if value is None or value == "today":
        return date.today().isoformat()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise UserInputError(f"invalid date {value!r}: expected YYYY-MM-DD") from None
