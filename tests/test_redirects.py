"""`next=` sends the browser to a path on this site only, as browsers read Location headers.

Each bypass is a value the route receives (after the query string's own
decoding); the answer must be the route's default page, and the Location
header sent must not be read by a browser as another site.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

BYPASSES = [
    "//evil.com",
    "///evil.com",
    "////evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "\\/evil.com",
    "/\\/evil.com",
    "/\t/evil.com",  # what /lang/en?next=/%09/evil.com hands the view
    "/\n/evil.com",
    "/\r\n/evil.com",
    "/\t\\evil.com",
    " //evil.com",
    "\t//evil.com",
    "\x00//evil.com",
    "//evil.com\x1f",
    "/%09/evil.com",
    "/%0a/evil.com",
    "/%2F%2Fevil.com",
    "/%2f/evil.com",
    "/%5Cevil.com",
    "/%5C%5Cevil.com",
    "/%252F%252Fevil.com",
    "/%25252F%25252Fevil.com",
    "/.//evil.com",
    "/./\\evil.com",
    "/x/..//evil.com",
    "/%2e/%2fevil.com",
    "https://evil.com",
    "HTTPS://evil.com",
    "http:evil.com",
    "https:evil.com",
    "http:/evil.com",
    "http:\\\\evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.com",
    "%2F%2Fevil.com",
]

WHERE_BROWSERS_GO = [
    # (Location, whether a browser stays on the site): the reader below must tell them apart.
    ("/console/contests?q=a", True),
    ("/\t/evil.com", False),
    ("/\\evil.com", False),
    (" //evil.com", False),
    ("https://evil.com", False),
    ("javascript:alert(1)", False),
]


def stays_on_site(location: str) -> bool:
    """Whether a browser following this Location stays on the site (the WHATWG URL steps
    that decide the host: strip C0 controls and spaces at the ends, drop tabs and
    newlines, read backslashes as slashes; a scheme or two leading slashes leave)."""
    value = location.strip("".join(map(chr, range(0x21))))
    value = re.sub(r"[\t\n\r]", "", value).replace("\\", "/")
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", value):
        return urlsplit(value).netloc == "localhost"
    return value.startswith("/") and not value.startswith("//")


@pytest.mark.parametrize(("location", "on_site"), WHERE_BROWSERS_GO)
def test_the_browser_reader_tells_on_site_from_off_site(location, on_site):
    assert stays_on_site(location) is on_site


@pytest.mark.parametrize("target", BYPASSES)
def test_the_language_switch_never_leaves_the_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert stays_on_site(response.headers["Location"])


def test_the_language_switch_from_a_raw_link_with_an_encoded_tab(client):
    response = client.get("/lang/en?next=/%09/evil.com")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/c/thi-thu?tab=rules", "/c/thi-thu?tab=rules"),
        ("/console/contests?q=%C4%91&page=2", "/console/contests?q=%C4%91&page=2"),
        ("/c/đ", "/c/%C4%91"),  # sent as ASCII, as checked
    ],
)
def test_the_language_switch_goes_back_to_a_local_page(client, target, location):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.headers["Location"] == location
