"""What reading a workbook reports: a problem at a place, or the whole file refused.

Messages are lazy strings, rendered in the reader's language: English or
Vietnamese on console pages, Vietnamese in commands (no request, see
quiz.web.select_locale).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from quiz.formatting import number


@dataclass(frozen=True)
class Problem:
    """A problem at a row and column (by its template header) of a sheet; None: the file."""

    row: int | None
    column: str | None
    message: object  # a lazy string, rendered in the reader's language
    sheet: str | None = None


class FileRefused(ValueError):
    """The whole file is refused; nothing was read into the database."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def damaged() -> FileRefused:
    """One message for every kind of damage, in every importer: the person's remedy is
    the same (save the file again from Excel), whatever the parser tripped on."""
    return FileRefused(_l("The file is damaged and cannot be opened."))


def too_many_rows(limit: int) -> FileRefused:
    return FileRefused(
        _l(
            "The file has more than %(n)s rows; split it into several files.",
            n=number(limit),
        )
    )


def unsaved_formula():
    return _l(
        "This cell holds a formula without a saved value; open the file "
        "in Excel, save it, or paste the values instead of the formula."
    )


def too_long(length: int, limit: int):
    return _l("Too long: %(n)s characters, at most %(limit)s.", n=length, limit=limit)


def missing_columns(headers: list[str]):
    return _l("The header row lacks the columns: %(cols)s.", cols=", ".join(headers))
