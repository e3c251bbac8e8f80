"""Reading spreadsheets for every importer (question banks, units, delegates), in one place.

Each importer declares its layout (spec.SheetSpec) and parses one row at a
time; everything else about reading an uploaded workbook is here: the
safety limits checked before parsing, the header search across sheets,
every row read whatever the sheet's dimension record says, cell text
cleaning, and one way to report problems. Sits low in the import graph:
it imports nothing from the areas.
"""

from quiz.spreadsheets.cells import cell_text
from quiz.spreadsheets.limits import MAX_FILE_BYTES, MAX_ROWS
from quiz.spreadsheets.problems import FileRefused, Problem
from quiz.spreadsheets.reader import Row, read_workbook
from quiz.spreadsheets.report import Report, describe
from quiz.spreadsheets.spec import Column, SheetSpec

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Column",
    "FileRefused",
    "Problem",
    "Report",
    "Row",
    "SheetSpec",
    "cell_text",
    "describe",
    "read_workbook",
]
