"""Documents are accepted by what their bytes are, never by their name."""

from __future__ import annotations

import io
import zipfile

import pytest

from quiz.conferences.documents import MAX_BYTES, DocumentRefused, safe_filename, sniff, store


def office(main_type: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/x" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w/>")
    return out.getvalue()


DOCX = office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = office("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
DOCM = office("application/vnd.ms-word.document.macroEnabled.main+xml")


@pytest.mark.parametrize(
    ("data", "kind"), [(b"%PDF-1.7\n...", "pdf"), (DOCX, "docx"), (XLSX, "xlsx")]
)
def test_allowed_types_are_recognised_by_content(app, data, kind):
    with app.test_request_context():
        assert sniff(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"MZ\x90\x00 an executable",
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04 not really a zip",
        DOCM,
        b"%PDF-" + b"x" * MAX_BYTES,
    ],
)
def test_other_files_are_refused(app, data):
    with app.test_request_context(), pytest.raises(DocumentRefused):
        sniff(data)


def test_stored_under_a_random_name_in_the_documents_folder(ctx):
    from quiz.conferences.documents import folder, path_of
    from tests.conferences.helpers import make_conference

    conference = make_conference(None)
    document = store(conference.id, "", "../../Báo cáo.pdf", b"%PDF-1.4 x", None)
    path = path_of(document)
    assert path.parent == folder() and path.read_bytes() == b"%PDF-1.4 x"
    assert "Báo" not in path.name and document.filename == "Báo cáo.pdf"
    assert "static" not in str(path)


def test_download_name_loses_paths_and_gets_the_real_extension():
    assert safe_filename("../../evil.exe", "pdf") == "evil.pdf"
    assert safe_filename('a"b<c>.docx', "docx") == "a b c.docx"
    assert safe_filename("", "xlsx") == "tai-lieu.xlsx"
