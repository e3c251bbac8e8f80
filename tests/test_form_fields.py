"""The one form-field macro (templates/_forms.html) renders every kind of field the
product uses, with its label, hint and errors tied to the control."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, StringField

from tests.conftest import ROOT

TEMPLATE = '{% from "_forms.html" import field %}{{ field(form[name], **options) }}'


class Sample(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Họ và tên")
    count = IntegerField("Số lượng")
    agree = BooleanField("Đồng ý")
    gender = RadioField("Giới tính", choices=[SelectChoice("f", "Nữ"), SelectChoice("m", "Nam")])
    unit = SelectField("Đơn vị", choices=[SelectChoice("1", "Xã Một")])


def render(app, name: str, errors: list[str] | None = None, **options) -> str:
    with app.test_request_context():
        form = Sample()
        if errors:
            form[name].errors = errors
        return render_template_string(TEMPLATE, form=form, name=name, options=options)


def test_a_text_field_ties_its_hint_and_error_to_the_input(app):
    html = render(app, "name", errors=["Vui lòng nhập họ tên."], hint="Như trên CCCD.")
    assert '<label for="name">Họ và tên</label>' in html
    assert 'aria-describedby="name-hint name-error"' in html and 'aria-invalid="true"' in html
    assert '<p class="hint" id="name-hint">Như trên CCCD.</p>' in html
    assert '<p class="error" id="name-error">Vui lòng nhập họ tên.</p>' in html


def test_the_input_type_is_the_fields_own_unless_given(app):
    assert 'type="number"' in render(app, "count")
    typed = render(app, "count", type="text", attrs={"inputmode": "numeric"})
    assert 'type="text"' in typed and 'inputmode="numeric"' in typed
    assert "aria-describedby" not in typed


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("agree", r'<label class="choice"><input [^>]*type="checkbox"[^>]*> Đồng ý</label>'),
        ("gender", r"<fieldset class=\"field\">\s*<legend>Giới tính</legend>"),
        ("unit", r'<label for="unit">Đơn vị</label>\s*<select [^>]*id="unit"'),
    ],
)
def test_checkboxes_radios_and_selects_have_their_own_markup(app, name, expected):
    assert re.search(expected, render(app, name))


def test_no_other_template_defines_a_form_field_macro():
    defining = [
        path.relative_to(ROOT / "templates").as_posix()
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"\{%-?\s*macro\s+\w*(field|select|radios)\w*\(", path.read_text())
    ]
    assert defining == ["_forms.html"]
