"""A formula whose value was never saved is a problem at its row and column, in every importer."""

from __future__ import annotations

import pytest

from tests.spreadsheets.xlsx import Formula, Sheet, xlsx

UNSAVED = "formula without a saved value"


@pytest.mark.parametrize(
    "formula",
    [
        Formula('CONCAT("Xã ", "Mới")'),  # report generators: no <v> at all
        Formula('CONCAT("Xã ", "Mới")', saved=""),  # openpyxl: an empty <v/>
    ],
    ids=["without a value", "with an empty value"],
)
def test_a_formula_without_a_saved_value_is_reported_in_every_importer(importer, formula):
    rows = [importer.header, importer.row(1), importer.row(2), importer.row(3)]
    rows[2][importer.text_column] = formula
    # The same formula with the value Excel saved for it reads as that value.
    rows[3][importer.text_column] = Formula('CONCAT("Xã ", "Mới")', saved="Xã Mới", kind="str")
    result = importer.read(xlsx(Sheet("Sheet1", rows, dimension=None)))
    found = [(p.row, p.column, str(p.message)) for p in result.problems]
    header = importer.header[importer.text_column]
    assert [(r, c) for r, c, _ in found] == [(3, header)]
    assert UNSAVED in found[0][2]
    assert importer.text_of(result.rows[-1]) == "Xã Mới"
