"""Import of a 10,000-question bank from Excel into PostgreSQL: time, by stage.

    .venv/bin/python bench/import_bench.py       # writes its section of BENCHMARKS.md

Goal: under 10 seconds for reading, validating and importing the file.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.stack import OUT, Stack  # noqa: E402

TOPICS = ["Chuyển đổi số", "An toàn thông tin", "Nghị quyết", "Văn hóa - Du lịch", "Pháp luật"]


def make_workbook(n: int, path: Path) -> None:
    from types import SimpleNamespace

    from quiz.banks.writer import export_workbook

    rng = random.Random(1)
    questions = []
    for i in range(n):
        choices = [
            f"Phương án {k + 1} của câu {i + 1} về {TOPICS[i % 5].lower()}" for k in range(4)
        ]
        correct = [rng.randrange(4)] if i % 10 else [0, 2]
        questions.append(
            SimpleNamespace(
                code=f"BQ-{i + 1:05d}",
                topic=TOPICS[i % 5],
                difficulty=1 + i % 3,
                text=f"Câu hỏi số {i + 1}: nội dung kiểm tra hiểu biết về {TOPICS[i % 5].lower()}?",
                choices=choices,
                correct=correct,
                explanation=f"Giải thích cho câu {i + 1}.",
            )
        )
    path.write_bytes(export_workbook(questions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    stack = Stack("quiz_bench_import")
    try:
        stack.prepare()
        os.environ.update(stack.env)
        from quiz import create_app
        from quiz.banks.importer import apply_import, existing_keys
        from quiz.banks.reader import read_bank
        from quiz.extensions import db
        from quiz.models import QuestionBank

        path = OUT / "bench-bank.xlsx"
        make_workbook(args.questions, path)
        data = path.read_bytes()
        app = create_app()
        with app.app_context():
            bank = QuestionBank(code="BENCH", title="Bench")
            t0 = time.perf_counter()
            result = read_bank(data, existing_keys(bank))
            t1 = time.perf_counter()
            assert not result.problems, result.problems[:3]
            summary = apply_import(bank, result.questions)
            db.session.commit()
            t2 = time.perf_counter()
    finally:
        stack.stop()
    read_s, write_s = t1 - t0, t2 - t1
    total = read_s + write_s
    print(f"{summary.added} questions: read+validate {read_s:.2f} s, import {write_s:.2f} s")
    if not args.no_report:
        verdict = "✓" if total < 10 else "✗"
        lines = [
            "## Question bank import from Excel",
            "",
            "Command: `.venv/bin/python bench/import_bench.py` (a generated workbook "
            "in the template's layout, PostgreSQL, one transaction).",
            "",
            "| questions | file | read and validate | write | total | goal |",
            "|---:|---:|---:|---:|---:|---|",
            f"| {summary.added:,} | {len(data) / 1e6:.1f} MB | {read_s:.2f} s | "
            f"{write_s:.2f} s | **{total:.2f} s** | < 10 s {verdict} |",
        ]
        write_section("import", "\n".join(lines))


if __name__ == "__main__":
    main()
