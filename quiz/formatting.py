"""One way to show numbers and times used, on every page and in every message.

Vietnamese writes 1.234.567,5 (dots between thousands, a decimal comma);
English writes 1,234,567.5. Pages reach these functions through the
template filters of the same names (`number`, `decimal`, `percent`,
`duration`), so a page never formats a figure by hand.

A time used is shown to the millisecond, the precision the ranking
compares (`quiz.scoring.ranking`): two entrants ranked apart on time never
show the same time. Exports keep the same figure as a number of seconds
with three decimals (`quiz.reports.xlsx.seconds`), so a page and a
workbook never disagree.

A figure that does not apply (no prediction question, nothing measured)
is shown as NOT_APPLICABLE, never as "None" or a misleading 0.
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent, get_decimal_symbol

from quiz.scoring.ranking import shown_error

NOT_APPLICABLE = "—"
DEFAULT_LOCALE = "vi"


def current_locale() -> Locale:
    """The request's language; Vietnamese in commands and jobs (no request)."""
    try:
        from flask_babel import get_locale

        locale = get_locale()
    except (RuntimeError, KeyError):
        locale = None
    return locale or Locale.parse(DEFAULT_LOCALE)


def number(value, locale: Locale | str | None = None) -> str:
    """A count or a whole number: 1.234.567 (vi), 1,234,567 (en)."""
    if value is None:
        return NOT_APPLICABLE
    return format_decimal(value, locale=locale or current_locale())


def decimal(value, digits: int = 2, locale: Locale | str | None = None) -> str:
    """A number with exactly `digits` decimals: 1.234,50 (vi)."""
    if value is None:
        return NOT_APPLICABLE
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=locale or current_locale())


def percent(value, locale: Locale | str | None = None) -> str:
    """A share as a percentage with one decimal: 25,0% (vi)."""
    if value is None:
        return NOT_APPLICABLE
    return format_percent(value, "#,##0.0%", locale=locale or current_locale())


def duration(ms: int | None, locale: Locale | str | None = None) -> str:
    """A time used, to the millisecond: 1:05,250 (vi), 1:05.250 (en), 1:02:03,004 past an hour."""
    if ms is None:
        return NOT_APPLICABLE
    sign = get_decimal_symbol(locale or current_locale())
    whole, millis = divmod(int(ms), 1000)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{clock}{sign}{millis:03d}"


def seconds(ms: int | None, locale: Locale | str | None = None) -> str:
    """A short time in seconds with three decimals, for sentences: 1,400 (vi)."""
    return NOT_APPLICABLE if ms is None else decimal(ms / 1000, 3, locale)


def prediction_error(error: int | None, reference: int | None = None) -> str:
    """A ranking's prediction error, or "—" where the round has none to show."""
    return number(shown_error(error, reference))


def filesize(size: int | None, locale: Locale | str | None = None) -> str:
    """A file's size: 350 KB under a megabyte, 2,4 MB above (a small file is never "0,0 MB")."""
    if size is None:
        return NOT_APPLICABLE
    if size < 1024 * 1024:
        return f"{number(max(1, round(size / 1024)), locale)} KB"
    return f"{decimal(size / (1024 * 1024), 1, locale)} MB"


FILTERS = {
    "filesize": filesize,
    "prediction_error": prediction_error,
    "number": number,
    "decimal": decimal,
    "percent": percent,
    "duration": duration,
    "seconds": seconds,
}
