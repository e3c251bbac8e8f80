"""A damaged or foreign file gets one clear message in every importer, never a traceback."""

from __future__ import annotations

import pytest

from quiz.spreadsheets import FileRefused
from tests.spreadsheets.damage import damaged_files

KINDS = [
    "truncated sheet",
    "truncated after the data",
    "control character",
    "control character after the data",
    "damaged second sheet",
    "not a zip",
    "a zip that is not a workbook",
    "broken zip",
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_file_is_refused_with_the_same_message_by_every_importer(importer, kind):
    data, message = damaged_files(importer.header, [importer.row(n) for n in range(1, 4)])[kind]
    with pytest.raises(FileRefused) as refused:
        importer.read(data)
    assert str(refused.value.message) == message
