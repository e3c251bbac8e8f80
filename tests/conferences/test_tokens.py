"""Personal tokens and their QR codes: unguessable, tamper-evident, small."""

from __future__ import annotations

import struct
import zlib

import pytest

from quiz.conferences.qr import make_qr, personal_payload, png_bytes, svg_text
from quiz.conferences.tokens import BadToken, PersonalToken, new_secret, parse_token, token_hash


def test_secret_carries_128_bits_of_base32():
    secrets_ = {new_secret() for _ in range(200)}
    assert len(secrets_) == 200
    assert all(len(s) == 26 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for s in secrets_)


@pytest.mark.parametrize(
    "text",
    [
        "1-42-{s}",
        "1-42-{s}".lower(),
        "  1-42-{s}\n",
        "HTTPS://HOINGHI.EXAMPLE.VN/Q/1-42-{s}",
        "https://hoinghi.example.vn/q/1-42-{s}",
    ],
)
def test_token_is_read_bare_or_inside_the_invitation_address(text):
    secret = new_secret()
    assert parse_token(text.format(s=secret)) == PersonalToken(42, secret)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "2-42-" + "A" * 26,
        "1-42-" + "A" * 25,
        "1-42-" + "A" * 25 + "1",
        "1-x-" + "A" * 26,
    ],
)
def test_unreadable_or_unknown_version_tokens_are_refused(text):
    with pytest.raises(BadToken):
        parse_token(text)


def test_offline_hash_depends_on_salt_and_reveals_no_secret():
    secret = new_secret()
    first, second = token_hash("salt-a", secret), token_hash("salt-b", secret)
    assert first != second and len(first) == 32 and secret not in first


@pytest.mark.parametrize(
    "host",
    ["http://localhost", "https://hoinghi.sonlam.gov.vn", "https://diemdanh.tinh.vn:8443"],
)
def test_personal_qr_with_address_stays_at_version_4_or_below(host):
    token = str(PersonalToken(987654, new_secret()))
    payload = personal_payload(token, host)
    assert payload.endswith("/Q/" + token)
    assert make_qr(payload).version <= 4


def test_long_host_falls_back_to_the_bare_token_still_small():
    token = str(PersonalToken(987654321, new_secret()))
    host = "https://www.so-thong-tin-va-truyen-thong.tinh-son-lam-thu-nghiem.gov.vn"
    payload = personal_payload(token, host)
    assert payload == token
    assert make_qr(payload).version <= 2


def test_png_is_a_well_formed_image():
    data = png_bytes("1-42-" + new_secret(), box_size=4)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    length, kind = struct.unpack(">I4s", data[8:16])
    width, height = struct.unpack(">II", data[16:24])
    body = data[12 : 16 + length]
    assert kind == b"IHDR" and width == height
    assert struct.unpack(">I", data[16 + length : 20 + length])[0] == zlib.crc32(body)
    assert data.endswith(b"IEND\xaeB`\x82")


def test_svg_is_a_single_image_without_script():
    svg = svg_text("1-42-" + new_secret())
    assert svg.startswith("<svg") and "<path" in svg and "script" not in svg
