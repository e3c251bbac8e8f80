"""Conference documents: uploads checked by content, stored outside static/.

A file is accepted only if its bytes say what it is: PDF ("%PDF-"), or a
zip holding the content type of a Word document or an Excel workbook
(macro-enabled variants are refused). It is stored under the instance
folder by a random name, never the uploaded one, and served as an
attachment with nosniff, so a browser never runs it as a page.
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from quiz.extensions import db
from quiz.models import ConferenceDocument

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MAIN_PART = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


class DocumentRefused(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def folder() -> Path:
    """CONFERENCE_DOCUMENTS_DIR if set (tests), else instance/conference_documents."""
    configured = current_app.config.get("CONFERENCE_DOCUMENTS_DIR")
    path = (
        Path(configured) if configured else Path(current_app.instance_path) / "conference_documents"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(data: bytes) -> str:
    """'pdf', 'docx' or 'xlsx' from the content alone; DocumentRefused otherwise."""
    if not data:
        raise DocumentRefused(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise DocumentRefused(_l("The file is larger than %(n)s MB.", n=MAX_BYTES // (1024 * 1024)))
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        kind = _office_kind(data)
        if kind:
            return kind
    raise DocumentRefused(_l("Only PDF, Word (.docx) and Excel (.xlsx) files can be attached."))


def _office_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise DocumentRefused(_l("The file unpacks to far more data than a document holds."))
        types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, ValueError):
        return None
    for kind, part in _MAIN_PART.items():
        if part in types:
            return kind
    return None


def safe_filename(name: str, kind: str) -> str:
    """The uploaded name for the download, without paths or odd characters."""
    stem = Path(name or "").stem
    stem = re.sub(r"[\x00-\x1f\"\\/:*?<>|]+", " ", stem).strip(" .")[:120] or "tai-lieu"
    return f"{stem}.{kind}"


def store(
    conference_id: int, title: str, filename: str, data: bytes, staff_id
) -> ConferenceDocument:
    kind = sniff(data)
    stored = f"{secrets.token_hex(16)}.{kind}"
    (folder() / stored).write_bytes(data)
    document = ConferenceDocument(
        conference_id=conference_id,
        title=(title or "").strip()[:200] or safe_filename(filename, kind),
        filename=safe_filename(filename, kind),
        stored_name=stored,
        kind=kind,
        size=len(data),
        uploaded_by=staff_id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def path_of(document: ConferenceDocument) -> Path:
    return folder() / document.stored_name


def remove(document: ConferenceDocument) -> None:
    path_of(document).unlink(missing_ok=True)
    db.session.delete(document)


def documents_of(conference_id: int) -> list[ConferenceDocument]:
    return list(
        db.session.scalars(
            db.select(ConferenceDocument)
            .where(ConferenceDocument.conference_id == conference_id)
            .order_by(ConferenceDocument.id)
        )
    )
