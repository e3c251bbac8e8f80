"""The bank commands speak Vietnamese, like the console, and refuse a bad file with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.banks.test_import import HEADER, row
from tests.spreadsheets.damage import damaged_files

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncated sheet", "Tệp bị hỏng và không thể mở được."),
        ("control character", "Tệp bị hỏng và không thể mở được."),
        ("not a zip", "Đây không phải là tệp Excel .xlsx."),
    ],
)
def test_import_bank_refuses_a_damaged_file_with_the_reason_alone(app, tmp_path, damage, message):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(damaged_files(HEADER, [row("Q1"), row("Q2", text="Câu hai?")])[damage][0])
    result = app.test_cli_runner().invoke(args=["import-bank", str(path), "--bank", "CLI"])
    assert (result.exit_code, result.output) == (1, message + "\n")


def test_the_bank_commands_speak_vietnamese(app, tmp_path):
    runner = app.test_cli_runner()
    sample = str(ROOT / "question_banks" / "sample_bank.xlsx")
    dry = runner.invoke(args=["import-bank", sample, "--bank", "CLI", "--dry-run"])
    assert dry.output == "75 câu hỏi hợp lệ (chạy thử, chưa ghi gì vào cơ sở dữ liệu).\n"
    done = runner.invoke(args=["import-bank", sample, "--bank", "CLI"])
    assert done.output == "Ngân hàng CLI: thêm mới 75, cập nhật 0, giữ nguyên 0 câu hỏi.\n"
    missing = runner.invoke(args=["export-bank", "KHONG-CO", str(tmp_path / "x.xlsx")])
    assert (missing.exit_code, missing.output) == (
        1,
        "Không có ngân hàng câu hỏi nào mang mã KHONG-CO.\n",
    )
    exported = runner.invoke(args=["export-bank", "CLI", str(tmp_path / "x.xlsx")])
    assert exported.output == f"Đã ghi 75 câu hỏi vào {tmp_path / 'x.xlsx'}\n"
    template = runner.invoke(args=["bank-template", str(tmp_path / "mau.xlsx")])
    assert template.output == f"Đã ghi tệp mẫu vào {tmp_path / 'mau.xlsx'}\n"
