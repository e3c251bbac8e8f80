"""A workbook's layout, as each importer declares it: its data sheet and its columns.

Headers are matched without diacritics, case or punctuation ("Dân số / Số
đảng viên *" and "dan so so dang vien" are the same), so people may
retype them. A notes column ("Ghi chú", "Notes", ...) never matches any
column: what people write there is for themselves, and a column that
reaches entrants (a question's explanation) must come from its own header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from quiz.spreadsheets.limits import HEADER_SEARCH_ROWS
from quiz.text import fold

NOTE_HEADERS = ("ghi chu", "chu thich", "luu y", "note", "notes", "remark", "remarks", "comment")


def header_key(text: str) -> str:
    """'Dân số / Số đảng viên *' → 'dan so so dang vien': what headers are matched by."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def is_note(text: str) -> bool:
    """'Ghi chú', 'Ghi chú riêng', 'Notes': a column people keep for themselves."""
    key = header_key(text)
    return any(key == note or key.startswith(note + " ") for note in NOTE_HEADERS)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    max_length: int = 0  # 0: the row parser checks the value itself
    width: int = 14
    note: str = ""
    aliases: tuple[str, ...] = ()

    @cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(header_key(name) for name in (self.header, *self.aliases))

    def matches(self, text: str) -> bool:
        return not is_note(text) and header_key(text) in self._keys


@dataclass(frozen=True)
class SheetSpec:
    """What an importer reads: the template's data sheet (looked at first, then every
    sheet), its columns, and the messages that name them.

    `finds_header` are the columns that make a row the header; `needs` the
    columns the header must then have (by default the required ones).
    The message callables keep each importer's own wording.
    """

    sheet: str
    columns: tuple[Column, ...]
    finds_header: tuple[str, ...]
    no_sheet: Callable[[], object]  # no sheet has the header row
    no_header: Callable[[str, int], object]  # the template's sheet has none (sheet, rows)
    empty: Callable[[], object]  # the header row and nothing under it
    needs: tuple[str, ...] = ()
    header_rows: int = HEADER_SEARCH_ROWS
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})
        if not self.needs:
            object.__setattr__(self, "needs", tuple(c.key for c in self.columns if c.required))

    def header_of(self, key: str | None) -> str | None:
        return self.by_key[key].header if key else None
