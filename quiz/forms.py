"""The one base of every form: Flask-WTF's (CSRF on all), speaking through the app's catalog.

WTForms ships no Vietnamese catalog, so its stock complaints ("This field is
required.", "Not a valid choice.") would reach Vietnamese pages in English.
Forms built on `Form` look them up in the app's own catalog instead, where
translations/vi holds them beside the app's messages. A field that says
what it expects in its own words (most do) is unaffected.
"""

from __future__ import annotations

from flask import request
from flask_babel import get_translations
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import PasswordField, StringField

from quiz.text import drop_control


class CatalogTranslations:
    """WTForms' translations interface over Flask-Babel's catalog (WTForms formats the result)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


CATALOG = CatalogTranslations()


def _no_control(value):
    return drop_control(value) if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return CATALOG

        def bind_field(self, form, unbound_field, options):
            """Typed text loses control characters (NUL above all, which PostgreSQL refuses)."""
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                filters = unbound_field.kwargs.get("filters", ())
                options = {**options, "filters": [*filters, _no_control]}
            return super().bind_field(form, unbound_field, options)

        def wrap_formdata(self, form, formdata):
            """A JSON body fills a form only as an object of text values; any other is no data."""
            if formdata is _Auto and form.is_submitted() and not request.form and request.is_json:
                body = request.get_json(silent=True)
                fields = body.items() if isinstance(body, dict) else ()
                return ImmutableMultiDict([(k, v) for k, v in fields if isinstance(v, str)])
            return super().wrap_formdata(form, formdata)
