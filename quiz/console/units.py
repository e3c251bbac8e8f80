"""Units: the tree, editing, moving and merging, and import from Excel.

HTTP only: the tree changes are in `quiz.units.operations` and the Excel
work in `quiz.units` (reader, importer, writer). Every view sees only the account's unit and
the units below it; units named in the URL are checked by the console guard
(`g.unit`), and every unit picked in a form must be among the choices
offered, which are built from the same scope.

An upload is checked, shown as a preview, and kept in Redis for
half an hour (`quiz/console/uploads.py`, as every console import); the confirm
button imports those stored bytes (checked again against the current tree),
never a second upload.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired, FileSize
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow
from quiz.console.audit_log import record
from quiz.console.downloads import send_workbook
from quiz.console.uploads import read_upload, stash, take
from quiz.extensions import db
from quiz.forms import Form
from quiz.models import Unit
from quiz.spreadsheets import MAX_FILE_BYTES, FileRefused
from quiz.text import fold
from quiz.units.importer import apply_units
from quiz.units.operations import (
    MAX_POPULATION,
    UnitError,
    create_unit,
    merge_unit,
    move_unit,
    tree_order,
    update_unit,
)
from quiz.units.reader import read_units
from quiz.units.spec import known_units
from quiz.units.writer import export_workbook
from quiz.units.writer import template_workbook as units_template_workbook
from quiz.web import row_id

TOP_LEVEL = 0
INDENT = "\u2003"  # an em space per level keeps the tree readable in a plain <select>


class UnitForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    kind = StringField(_l("Level (e.g. Tỉnh, Huyện, Xã, Cơ quan)"), validators=[Length(max=40)])
    population = IntegerField(
        _l("Population or membership"),
        validators=[
            Optional(),
            NumberRange(0, MAX_POPULATION, _l("Enter a whole number of 0 or more.")),
        ],
    )


class NewUnitForm(UnitForm):
    parent = SelectField(_l("Parent unit"), coerce=int)


class MoveForm(Form):
    parent = SelectField(_l("New parent unit"), coerce=int)


class MergeForm(Form):
    target = SelectField(_l("Merge into"), coerce=int)
    confirm = BooleanField(
        _l("I understand: this unit will no longer be offered to entrants."),
        validators=[DataRequired(_l("Tick the box to confirm the merge."))],
    )


class ImportForm(Form):
    file = FileField(
        _l("Excel file (.xlsx)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileSize(
                MAX_FILE_BYTES,
                message=_l("The file is larger than %(n)s MB.", n=MAX_FILE_BYTES // 1_000_000),
            ),
        ],
    )


class ConfirmForm(Form):
    """Only the CSRF token: the data to import is the stored upload."""


# --- scope helpers ----------------------------------------------------------------------


def _scoped_units() -> list[Unit]:
    """The account's units in tree order (everything for administrators)."""
    query = select(Unit)
    scope = current_user.scope_path
    if scope is not None:
        query = query.where(Unit.path.startswith(scope))
    return tree_order(list(db.session.scalars(query)))


def _unit_choices(exclude: Unit | None = None) -> list[tuple[int, str]]:
    """Units a form may point at: in scope, not merged away, not below `exclude`."""
    units = [u for u in _scoped_units() if u.merged_into_id is None]
    if exclude is not None:
        units = [u for u in units if not u.path.startswith(exclude.path)]
    base = min((u.depth for u in units), default=0)
    choices = [(u.id, f"{INDENT * (u.depth - base)}{u.name} ({u.code})") for u in units]
    if current_user.scope_path is None:
        choices.insert(0, (TOP_LEVEL, str(_l("— top level (no parent) —"))))
    return choices


def _picked(unit_id: int) -> Unit | None:
    return db.session.get(Unit, unit_id) if unit_id != TOP_LEVEL else None


def _preset(field: SelectField, value: int | None) -> None:
    if value is not None and any(value == choice[0] for choice in field.choices):
        field.data = value


# --- the tree ---------------------------------------------------------------------------


@bp.get("/units")
@allow(*ALL_ROLES)
def units():
    units = _scoped_units()
    by_id = {u.id: u for u in units}
    targets = {
        u.merged_into_id: by_id.get(u.merged_into_id) or db.session.get(Unit, u.merged_into_id)
        for u in units
        if u.merged_into_id is not None
    }
    query = request.args.get("q", "").strip()[:100]
    shown = units
    if query:
        key = fold(query)
        shown = [u for u in units if key in fold(u.name) or key in fold(u.code)]
    return render_template(
        "console/units/tree.html",
        units=shown,
        total=len(units),
        base=min((u.depth for u in units), default=0),
        targets=targets,
        q=query,
    )


@bp.route("/units/new", methods=["GET", "POST"])
@allow(*EDITORS)
def unit_new():
    form = NewUnitForm()
    form.parent.choices = _unit_choices()
    if request.method == "GET":
        _preset(form.parent, request.args.get("parent", type=row_id))
    error = None
    if form.validate_on_submit():
        parent = _picked(form.parent.data)
        try:
            unit = create_unit(
                form.code.data, form.name.data, form.kind.data, parent, form.population.data
            )
        except UnitError as exc:
            db.session.rollback()
            error = exc.message
        else:
            record("unit_created", unit.code, unit.id, parent=parent.code if parent else None)
            db.session.commit()
            flash(_l("Unit %(code)s was added.", code=unit.code), "success")
            return redirect(url_for("console.units"), 303)
    return render_template("console/units/form.html", form=form, unit=None, error=error)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def unit_edit(unit_id: int):
    unit = g.unit
    form = UnitForm(obj=unit)
    error = None
    if form.validate_on_submit():
        before = {"code": unit.code, "name": unit.name}
        try:
            update_unit(unit, form.code.data, form.name.data, form.kind.data, form.population.data)
        except UnitError as exc:
            db.session.rollback()
            error = exc.message
        else:
            record("unit_changed", unit.code, unit.id, before=before)
            db.session.commit()
            flash(_l("Unit %(code)s was saved.", code=unit.code), "success")
            return redirect(url_for("console.units"), 303)
    return render_template("console/units/form.html", form=form, unit=unit, error=error)


@bp.route("/units/<int:unit_id>/move", methods=["GET", "POST"])
@allow(*EDITORS)
def unit_move(unit_id: int):
    unit = g.unit
    form = MoveForm()
    form.parent.choices = _unit_choices(exclude=unit)
    if request.method == "GET":
        _preset(form.parent, unit.parent_id or TOP_LEVEL)
    error = None
    if form.validate_on_submit():
        parent = _picked(form.parent.data)
        old_parent = unit.parent.code if unit.parent else None
        try:
            moved = move_unit(unit, parent)
        except UnitError as exc:
            db.session.rollback()
            error = exc.message
        else:
            new_parent = parent.code if parent else None
            record("unit_moved", unit.code, unit.id, old=old_parent, new=new_parent, units=moved)
            db.session.commit()
            flash(_l("Unit %(code)s was moved.", code=unit.code), "success")
            return redirect(url_for("console.units"), 303)
    return render_template("console/units/move.html", form=form, unit=unit, error=error)


@bp.route("/units/<int:unit_id>/merge", methods=["GET", "POST"])
@allow(*EDITORS)
def unit_merge(unit_id: int):
    source = g.unit
    form = MergeForm()
    form.target.choices = [c for c in _unit_choices(exclude=source) if c[0] != TOP_LEVEL]
    error = None
    if form.validate_on_submit():
        target = db.session.get(Unit, form.target.data)
        try:
            children = merge_unit(source, target)
        except UnitError as exc:
            db.session.rollback()
            error = exc.message
        else:
            record("unit_merged", source.code, source.id, into=target.code, children=children)
            db.session.commit()
            flash(
                _l(
                    "Unit %(source)s was merged into %(target)s.",
                    source=source.code,
                    target=target.code,
                ),
                "success",
            )
            return redirect(url_for("console.units"), 303)
    return render_template("console/units/merge.html", form=form, unit=source, error=error)


# --- Excel ------------------------------------------------------------------------------


@bp.route("/units/import", methods=["GET", "POST"])
@allow(*EDITORS)
def units_import():
    """The upload form; a posted file is checked and previewed (422 when it cannot be
    imported as it stands, like the other imports)."""
    form = ImportForm()
    if form.validate_on_submit():
        data = read_upload(form.file.data)
        filename = (form.file.data.filename or "")[:120]
        try:
            result = read_units(data, known_units(), current_user.scope_path)
        except FileRefused as exc:
            form.file.errors.append(exc.message)
            return render_template("console/units/import.html", form=form), 422
        token = stash("units", data, filename) if result.ok else None
        return _preview(result, token, filename)
    return render_template("console/units/import.html", form=form)


def _preview(result, token: str | None, filename: str):
    return render_template(
        "console/units/preview.html",
        result=result,
        token=token,
        filename=filename,
        confirm=ConfirmForm() if token else None,
    ), (200 if result.ok else 422)


@bp.post("/units/import/<token>")
@allow(*EDITORS)
def units_import_confirm(token: str):
    stored = take("units", token)
    if stored is None:
        flash(
            _l("This upload has expired or was already imported; upload the file again."), "warning"
        )
        return redirect(url_for("console.units_import"), 303)
    data, filename = stored.data, stored.filename
    try:  # checked again: the tree may have changed since the preview
        result = read_units(data, known_units(), current_user.scope_path)
    except FileRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.units_import"), 303)
    if not result.ok:
        return _preview(result, None, filename)
    try:
        summary = apply_units(result.rows)
    except UnitError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("console.units_import"), 303)
    rows = len(result.rows)
    record("units_imported", filename, current_user.unit_id, rows=rows, **asdict(summary))
    db.session.commit()
    flash(
        _l(
            "Import done: %(created)s added, %(updated)s updated (%(moved)s moved), "
            "%(unchanged)s unchanged.",
            **asdict(summary),
        ),
        "success",
    )
    return redirect(url_for("console.units"), 303)


@bp.get("/units/template.xlsx")
@allow(*EDITORS)
def units_template():
    return send_workbook(units_template_workbook(), "mau-don-vi.xlsx")


@bp.get("/units/export.xlsx")
@allow(*ALL_ROLES)
def units_export():
    scope = current_user.scope_path
    return send_workbook(export_workbook(scope), f"don-vi-{date.today():%Y%m%d}.xlsx")
