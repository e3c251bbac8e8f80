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
