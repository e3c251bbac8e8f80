"""QR images (qrcode package): PNG and SVG, and the personal code's payload.

Error correction M (15 % of the code may be damaged) and a version that
must stay at 4 or below (33 × 33 modules) for a printed card to scan at
arm's length. The personal code carries the invitation's address when it
fits in version 4, otherwise the bare token, which the staff scanner reads
just as well.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathImage

MAX_PERSONAL_VERSION = 4


def make_qr(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=10)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def personal_payload(token: str, base_url: str) -> str:
    """The invitation address in upper case (QR alphanumeric mode), or the bare token.

    Upper case is what keeps it small: scheme and host are case-insensitive
    and the app answers /Q/ as well as /q/.
    """
    url = f"{base_url.rstrip('/')}/Q/{token}".upper()
    if make_qr(url).version <= MAX_PERSONAL_VERSION:
        return url
    return token


def png_bytes(data: str, box_size: int = 8) -> bytes:
    """A black-and-white PNG, written here with zlib.

    qrcode's PNG writers need Pillow or pypng, neither of which the app
    otherwise uses; a 1-bit greyscale PNG is three chunks.
    """
    matrix = make_qr(data).get_matrix()  # border included
    rows = []
    for line in matrix:
        bits = "".join("0" if dark else "1" for dark in line for _ in range(box_size))
        bits += "0" * (-len(bits) % 8)
        row = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")
        rows.extend([row] * box_size)
    size = len(matrix) * box_size
    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def svg_text(data: str) -> str:
    """A standalone SVG (a single path): crisp at any print size, a few KB."""
    root = make_qr(data).make_image(image_factory=SvgPathImage).get_image()
    for element in root.iter():
        element.attrib.pop("id", None)  # a sheet holds many codes: ids would repeat
    return ET.tostring(root, encoding="unicode")
