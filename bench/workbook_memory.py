"""Peak memory of reading a question bank workbook, against a web process at rest.

    .venv/bin/python bench/workbook_memory.py        # prints the figures (nothing is written)

The goal (issue 9): reading any file under the upload limit keeps the
process under twice its baseline. Each file is read in a fresh process:
the baseline is its resident memory after `create_app()` and a warm-up
read of the template (every module loaded, as in a web worker that has
served an import before); the peak is the process's maximum resident
memory after reading the file (VmHWM: getrusage's figure would include
the parent's), the file's bytes included.

Files, written as Excel writes them (shared strings, which openpyxl holds
whole in memory, unlike inline strings), 20,000 questions each (the row
limit) of random Vietnamese text:
- limit: questions of ordinary length (about 400 characters with their
  options) and a picture, just under the 10 MB upload limit;
- text: the longest questions the limits accept (the text limit,
  MAX_TEXT_MEMORY, comes before the upload limit);
- widest: the same in the form that costs Python the most memory per
  byte: every text holds a character outside the Basic Multilingual Plane,
  so each of its characters takes 4 bytes;
- inline: the widest as inline strings (openpyxl, report generators);
- copied: the widest with two spaces in every text, so that cleaning makes
  a copy of every one while openpyxl still holds the original (refused
  part way, when originals and copies pass the text limit: the peak is
  where reading stopped);
- bomb: one part that unpacks 1,000 times its size (refused before parsing).
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["Mã câu hỏi", "Chủ đề", "Mức độ", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án C"]
HEADER += ["Đáp án D", "Đáp án đúng", "Giải thích"]
SYLLABLES = (
    "nghị quyết đảng bộ tỉnh nhân dân chuyển đổi số kinh tế xã hội phát triển bền vững "
    "an toàn thông tin văn hóa du lịch pháp luật hành chính cải cách thủ tục công dân "
    "chính quyền điện tử nông thôn mới giáo dục đào tạo y tế sức khỏe môi trường rừng "
    "biên giới quốc phòng an ninh trật tự đoàn kết dân tộc thiểu số bản làng xã huyện "
    "tăng trưởng đầu tư hạ tầng giao thông thủy lợi điện lưới viễn thông người dân "
    "doanh nghiệp hợp tác xã sản xuất hàng hóa thị trường tiêu thụ chất lượng cuộc sống "
    "mục tiêu nhiệm vụ giải pháp chủ yếu giai đoạn năm tới tầm nhìn đến thực hiện"
).split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(words)).capitalize()


def _cell(ref: str, index: int, strings: list[str], inline: bool) -> str:
    if inline:
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(strings[index])}</t></is></c>'
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def _workbook(strings: list[str], rows: list[list[int]], inline: bool = False) -> bytes:
    """Rows of indices into `strings`: shared strings as Excel writes them, or inline
    strings as openpyxl and report generators do."""
    body = []
    for n, row in enumerate(rows, 1):
        cells = "".join(_cell(f"{chr(65 + c)}{n}", v, strings, inline) for c, v in enumerate(row))
        body.append(f'<row r="{n}">{cells}</row>')
    if inline:
        strings = []
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(body)}</sheetData></worksheet>'
    table = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
            'sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Câu hỏi" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{table}</sst>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def bank(words: int, mark: str = "", inline: bool = False) -> bytes:
    """20,000 questions (the row limit); `words` sets the length of their texts, `mark`
    starts every text."""
    rng = random.Random(1)
    strings = [*HEADER, "Chủ đề chung", "Trung bình", "A"]
    rows = [list(range(len(HEADER)))]
    for n in range(20_000):
        first = len(strings)
        strings.append(f"BQ-{n:05d}")
        strings.append(mark + _text(rng, words))
        strings += [mark + _text(rng, max(words // 4, 1)) for _ in range(4)]
        strings.append(mark + _text(rng, max(words // 2, 1)))
        rows.append([first, 10, 11, *range(first + 1, first + 6), 12, first + 6])
    return _workbook(strings, rows, inline)


def largest(limit: int, size, **kind) -> bytes:
    """The bank with the longest texts whose `size` is within `limit`: sizes grow linearly
    with the length, so two probes give the estimate, then a word less until it fits."""
    low, high = size(bank(20, **kind)), size(bank(60, **kind))
    words = int(20 + 40 * (limit - low) / (high - low))
    while size(data := bank(max(words, 1), **kind)) > limit:
        if words <= 1:
            raise SystemExit(f"no bank of 20,000 questions fits {limit:,} ({kind})")
        words -= 1
    return data


def text_cost(data: bytes) -> int:
    """What the reader counts before parsing: shared strings and the sheet's inline ones."""
    from quiz.spreadsheets.limits import shared_strings_cost
    from quiz.spreadsheets.scan import scan_sheet

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = scan_sheet(archive, "xl/worksheets/sheet1.xml")
        return shared_strings_cost(archive) + sheet.inline_text


def most_text(**kind) -> bytes:
    """The most text the limits accept: the text limit or the upload limit, the first met."""
    from quiz.spreadsheets.limits import MAX_FILE_BYTES, MAX_TEXT_MEMORY

    data = largest(MAX_TEXT_MEMORY, text_cost, **kind)
    return data if len(data) <= MAX_FILE_BYTES else largest(MAX_FILE_BYTES, len, **kind)


def at_the_upload_limit() -> bytes:
    """20,000 questions of ordinary length and a picture, to just under the upload limit."""
    from quiz.spreadsheets.limits import MAX_FILE_BYTES

    data = bank(24)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        room = MAX_FILE_BYTES - len(data) - 4096
        target.writestr("xl/media/image1.png", random.Random(3).randbytes(room))
    return out.getvalue()


def bomb() -> bytes:
    data = io.BytesIO(bank(8))
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info.filename, source.read(info.filename))
        z.writestr("xl/media/image1.png", b"\0" * 60_000_000)
    return out.getvalue()


CHILD = """
import gc, json, sys, time
import psutil
sys.path.insert(0, sys.argv[3])
from quiz import create_app
from quiz.banks.reader import read_bank
from quiz.banks.writer import template_workbook
from quiz.spreadsheets import FileRefused
app = create_app({"TESTING": True, "SECRET_KEY": "bench", "REDIS_URL": sys.argv[2],
                  "SQLALCHEMY_DATABASE_URI": "sqlite://"})
with app.app_context():
    read_bank(template_workbook())
    gc.collect()
    baseline = psutil.Process().memory_info().rss
    data = open(sys.argv[1], "rb").read()
    started = time.perf_counter()
    try:
        result = read_bank(data)
        outcome = f"{len(result.questions)} questions, {len(result.problems)} problems"
    except FileRefused as refused:
        outcome = "refused: " + str(refused.message)
    seconds = time.perf_counter() - started
    # VmHWM: this process's own peak (getrusage's maximum survives exec: the parent's).
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
print(json.dumps({"baseline": baseline, "peak": peak, "outcome": outcome, "seconds": seconds}))
"""


def measure(path: Path, redis_url: str) -> dict:
    found = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), redis_url, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(found.stdout.strip().splitlines()[-1])


def main() -> None:
    from quiz.embedded_redis import EmbeddedRedis

    files = {
        "limit": at_the_upload_limit(),
        "text": most_text(),
        "widest": most_text(mark="😀 "),
        "inline": most_text(mark="😀 ", inline=True),
        "copied": most_text(mark="😀  "),  # two spaces: every text is copied when cleaned
        "bomb": bomb(),
    }
    with tempfile.TemporaryDirectory() as folder:
        redis = EmbeddedRedis(Path(folder) / "redis", persist=False)
        redis.start()
        try:
            for name, content in files.items():
                path = Path(folder) / f"{name}.xlsx"
                path.write_bytes(content)
                with zipfile.ZipFile(path) as archive:
                    unpacked = sum(i.file_size for i in archive.infolist())
                got = measure(path, redis.url)
                print(
                    f"{name:6} {len(content) / 2**20:5.1f} MiB file, {unpacked / 2**20:6.1f} MiB "
                    f"unpacked: baseline {got['baseline'] / 2**20:5.0f} MiB, peak "
                    f"{got['peak'] / 2**20:5.0f} MiB ({got['peak'] / got['baseline']:.2f}×), "
                    f"{got['seconds']:.1f} s; {got['outcome']}"
                )
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
