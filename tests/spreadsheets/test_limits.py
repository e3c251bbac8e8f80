"""Size and compression limits hold for every part of the archive, checked before parsing."""

from __future__ import annotations

import functools
import io
import os
import random
import zipfile

import pytest

from quiz.spreadsheets import FileRefused
from quiz.spreadsheets.limits import MAX_FILE_BYTES
from tests.spreadsheets.xlsx import MAIN, Sheet, xlsx

TOO_MUCH = "The file unpacks to far more data than an import file holds; it was refused."


def _with_member(data: bytes, name: str, content: bytes, level: int = 6) -> bytes:
    """The workbook with one part replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info.filename, source.read(info.filename))
        archive.writestr(name, content)
    return out.getvalue()


@functools.cache
def _bomb() -> bytes:
    """Shared strings that unpack to 30 MB from 30 kB, beside 400 kB of incompressible
    picture: the totals (30 MB unpacked, ratio 70) look like a workbook's. The XML is left
    unclosed, so a parser that reached it would call the file damaged instead."""
    good = xlsx(Sheet("Sheet1", [["Mã đơn vị", "Tên đơn vị"], ["X", "Xã Một"]]))
    strings = f'<sst xmlns="{MAIN}"><si><t>'.encode() + b"a" * 30_000_000
    bomb = _with_member(good, "xl/sharedStrings.xml", strings)
    return _with_member(bomb, "xl/media/image1.png", random.Random(1).randbytes(400_000))


def test_a_bomb_in_one_part_is_refused_before_parsing(importer):
    data = _bomb()
    assert len(data) < MAX_FILE_BYTES // 10
    with pytest.raises(FileRefused) as refused:
        importer.read(data)
    assert str(refused.value.message) == TOO_MUCH


def test_a_part_loaded_whole_is_limited_on_its_own(ctx, english):
    """52 MB of printer settings at a ratio of 140: within the totals and the ratio, but
    more than any part besides the worksheets may unpack to."""
    from quiz.units.reader import read_units

    good = xlsx(Sheet("Sheet1", [["Mã đơn vị", "Tên đơn vị"], ["X", "Xã Một"]]))
    settings = os.urandom(16_384) * 3_200
    data = _with_member(good, "xl/printerSettings/printerSettings1.bin", settings)
    assert len(data) < MAX_FILE_BYTES
    with pytest.raises(FileRefused) as refused:
        read_units(data)
    assert str(refused.value.message) == TOO_MUCH


def test_an_archive_of_too_many_parts_is_refused(ctx, english):
    from quiz.units.reader import read_units

    good = xlsx(Sheet("Sheet1", [["Mã đơn vị", "Tên đơn vị"], ["X", "Xã Một"]]))
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        for n in range(5_000):
            archive.writestr(f"xl/media/image{n}.png", b"")
    with pytest.raises(FileRefused) as refused:
        read_units(out.getvalue())
    assert str(refused.value.message) == TOO_MUCH


def test_an_over_long_value_is_reported_whole_and_kept_cut(ctx, english):
    """Units are kept with their problems (the checks across rows need them): a cell of
    30,000 characters is kept at its column's limit, its full length in the message."""
    from quiz.units.reader import read_units

    data = xlsx(Sheet("Sheet1", [["Mã đơn vị", "Tên đơn vị"], ["X", "Xã " + "a" * 29_997]]))
    result = read_units(data)
    assert [str(p.message) for p in result.problems] == ["Too long: 30000 characters, at most 200."]
    assert len(result.rows[0].name) == 200


def test_problems_past_the_first_thousand_are_counted_not_kept(ctx, english):
    from quiz.units.reader import read_units

    rows = [["Mã đơn vị", "Tên đơn vị"]] + [[f"X{n}", None] for n in range(1, 1_201)]
    problems = read_units(xlsx(Sheet("Sheet1", rows))).problems
    assert (len(problems), problems.unlisted, problems.total) == (1_000, 200, 1_200)
    assert (problems[-1].row, str(problems[-1].message)) == (1_001, "The unit name is missing.")


@pytest.mark.parametrize("strings", ["shared", "inline"])
def test_text_is_refused_by_what_python_would_hold(ctx, english, monkeypatch, strings):
    """The same 300 kB of text costs 300 kB in Python, or 1.2 MB once each string holds a
    character outside the Basic Multilingual Plane (4 bytes a character): counted before
    parsing, whether the strings are shared (Excel) or inline (generators)."""
    from quiz.units.reader import read_units

    monkeypatch.setattr("quiz.spreadsheets.limits.MAX_TEXT_MEMORY", 1_000_000)
    rng = random.Random(4)

    def units(mark: str) -> bytes:
        letters = "abcdeghiklmnopqrstuvxy "
        names = [mark + "".join(rng.choices(letters, k=3_000)) for _ in range(100)]
        rows = [["Mã đơn vị", "Tên đơn vị"]] + [[f"X{n}", name] for n, name in enumerate(names)]
        return xlsx(Sheet("Sheet1", rows), strings=strings)

    assert read_units(units("")).rows  # read, with its names reported too long
    with pytest.raises(FileRefused) as refused:
        read_units(units("😀"))
    assert str(refused.value.message) == (
        "The file holds more text than one import can take; split it into several files."
    )


def test_cleaned_copies_of_the_text_count_against_the_same_budget(ctx, english, monkeypatch):
    """Texts needing cleaning (here double spaces) are copied while openpyxl still holds
    the originals: a file of such texts costs twice what the same clean texts cost."""
    from quiz.banks.reader import read_bank
    from tests.banks.test_import import HEADER, row

    monkeypatch.setattr("quiz.spreadsheets.limits.MAX_TEXT_MEMORY", 600_000)
    rng = random.Random(5)

    def bank(space: str) -> bytes:
        texts = [
            space.join(rng.choices(["nghị", "quyết", "đảng", "bộ"], k=380)) for _ in range(100)
        ]
        rows = [row(f"Q{n}", text=f"{n} {text}?") for n, text in enumerate(texts)]
        return xlsx(Sheet("Câu hỏi", [HEADER, *rows]))

    assert len(read_bank(bank(" ")).questions) == 100
    with pytest.raises(FileRefused) as refused:
        read_bank(bank("  "))
    assert str(refused.value.message) == (
        "The file holds more text than one import can take; split it into several files."
    )
