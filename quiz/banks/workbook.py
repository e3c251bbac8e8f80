"""The bank area's names for the shared workbook pieces, kept for code that imports them here.

Reading and writing workbooks lives in `quiz.spreadsheets` for every
importer; new code imports from there.
"""

from quiz.spreadsheets.cells import cell_text
from quiz.spreadsheets.limits import check_xlsx
from quiz.spreadsheets.problems import FileRefused
from quiz.spreadsheets.writing import neutralise, write_header

__all__ = ["FileRefused", "cell_text", "check_xlsx", "neutralise", "write_header"]
