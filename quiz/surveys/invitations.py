"""Invitation codes: single use, unguessable, printable as QR, imported from Excel.

A code is derived, never stored: an HMAC of the app's secret, the survey's
salt and the invitation's id (80 bits, written XXXX-XXXX-XXXX-XXXX). The
database keeps only its SHA-256 (`code_hash`, unique), which finds the
invitation in one indexed lookup; a copy of the database alone gives no
code away, and the organizer can print the sheet again at any time.
An invitation answers once: its respondent key is counted in Redis at the
submit and is unique in the database.

The list is read from Excel like delegates (`quiz.spreadsheets`): columns
Họ và tên (required) and Đơn vị; all rows or none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Survey, SurveyInvitation
from quiz.spreadsheets import Column, Report, Row, SheetSpec, read_workbook
from quiz.text import fold
from quiz.units.tree import unit_tree

DATA_SHEET = "Người được mời"
COLUMNS = (
    Column("name", "Họ và tên", True, 200, 28, aliases=("ho ten", "ten", "nguoi duoc moi")),
    Column("unit", "Đơn vị", False, 200, 28, aliases=("co quan", "don vi cong tac")),
)
SPEC = SheetSpec(
    sheet=DATA_SHEET,
    columns=COLUMNS,
    finds_header=("name",),
    no_sheet=lambda: _l(
        "No sheet has the header row of the template (a column “Họ và tên”). Download "
        "the template and copy your list into its sheet “%(sheet)s”.",
        sheet=DATA_SHEET,
    ),
    no_header=lambda sheet, n: _l(
        "Sheet “%(sheet)s” has no header row with a column “Họ và tên” in its first %(n)s rows.",
        sheet=sheet,
        n=n,
    ),
    empty=lambda: _l("The sheet lists nobody to invite."),
)
CODE_SHAPE = re.compile(r"^[A-Z2-7]{16}$")


def invitation_code(secret: str, survey: Survey, invitation_id: int) -> str:
    digest = hmac.new(
        secret.encode(), f"survey-invitation|{survey.salt}|{invitation_id}".encode(), hashlib.sha256
    ).digest()
    text = base64.b32encode(digest[:10]).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def normalize_code(raw: str | None) -> str | None:
    """'abcd efgh-ijkl mnop' → 'ABCDEFGHIJKLMNOP'; None if it cannot be a code."""
    text = re.sub(r"[\s\-]", "", raw or "").upper()
    return text if CODE_SHAPE.match(text) else None


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def find_invitation(survey_id: int, raw_code: str | None) -> SurveyInvitation | None:
    code = normalize_code(raw_code)
    if code is None:
        return None
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.code_hash == code_hash(code))
    )
    return invitation if invitation and invitation.survey_id == survey_id else None


@dataclass(slots=True)
class InvitationRow:
    row: int
    name: str
    unit_id: int | None


@dataclass
class InvitationList(Report[InvitationRow]):
    pass


def read_invitations(data: bytes) -> InvitationList:
    """Every row checked; FileRefused for a file that cannot be read at all."""
    units: dict[str, int] = {}
    for node in unit_tree().nodes():
        if not node.merged:
            units.setdefault(fold(node.name), node.id)
            units.setdefault(fold(node.full_name), node.id)

    def parse(row: Row) -> InvitationRow | None:
        name = " ".join(row["name"].split())
        if not name and "name" not in row.unsaved:
            row.problem("name", _l("Type the name of the person invited."))
        unit_id = None
        if row["unit"]:
            unit_id = units.get(fold(row["unit"]))
            if unit_id is None:
                row.problem("unit", _l("No unit is named “%(name)s”.", name=row["unit"]))
        return None if row.has_problems else InvitationRow(row.number, name, unit_id)

    return read_workbook(data, SPEC, parse, InvitationList())


def add_invitations(secret: str, survey: Survey, rows: list[InvitationRow]) -> int:
    """Add one invitation per row (flushes; the caller commits once)."""
    made = []
    for row in rows:
        invitation = SurveyInvitation(
            survey_id=survey.id,
            unit_id=row.unit_id,
            name=row.name,
            code_hash=secrets.token_hex(32),  # replaced once the id is known
        )
        db.session.add(invitation)
        made.append(invitation)
    db.session.flush()
    for invitation in made:
        invitation.code_hash = code_hash(invitation_code(secret, survey, invitation.id))
    db.session.flush()
    return len(made)


def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["Lò Thị Mai", "Xã Mẫu"])
    sheet.column_dimensions["A"].width = COLUMNS[0].width
    sheet.column_dimensions["B"].width = COLUMNS[1].width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
