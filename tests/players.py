"""An entrant driving the real HTTP endpoints through Flask's test client.

CSRF stays on: the player reads tokens from the pages like a browser would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask.testing import FlaskClient

TOKEN_IN_LOCATION = re.compile(r"/a/([^/?]+)")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'data-csrf="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def errors_in(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'class="error"[^>]*>([^<]+)<', html)]


@dataclass
class Player:
    client: FlaskClient
    slug: str = "thu"

    def register(self, **fields):
        page = self.client.get(f"/c/{self.slug}/register")
        data = {
            "csrf_token": csrf_from(page.text),
            "consent": "y",
            "gender": "female",
            "occupation": "other",
            "birth_year": "1990",
            "full_name": "Người Thử Nghiệm",
        }
        data.update({k: v for k, v in fields.items() if v is not None})
        return self.client.post(f"/c/{self.slug}/register", data=data)

    def login(self, phone: str, birth_year: str | int):
        page = self.client.get(f"/c/{self.slug}/login")
        return self.client.post(
            f"/c/{self.slug}/login",
            data={"csrf_token": csrf_from(page.text), "phone": phone, "birth_year": birth_year},
        )

    def start_response(self, number: int = 1):
        page = self.client.get(f"/c/{self.slug}")
        return self.client.post(
            f"/c/{self.slug}/r/{number}/start", data={"csrf_token": csrf_from(page.text)}
        )

    def start(self, number: int = 1) -> str:
        response = self.start_response(number)
        assert response.status_code == 303, response.text
        return TOKEN_IN_LOCATION.search(response.headers["Location"]).group(1)

    def paper(self, token: str):
        return self.client.get(f"/a/{token}")

    def save(
        self,
        token: str,
        q: int | str | None = None,
        c: str | None = None,
        p: str | None = None,
        csrf: str | None = None,
    ):
        csrf = csrf or csrf_from(self.paper(token).text)
        data = {k: v for k, v in {"q": q, "c": c, "p": p}.items() if v is not None}
        return self.client.post(f"/a/{token}/save", data=data, headers={"X-CSRFToken": csrf})

    def submit(self, token: str, answers: dict | None = None, csrf: str | None = None):
        csrf = csrf or csrf_from(self.client.get(f"/c/{self.slug}").text)
        data = {"csrf_token": csrf}
        data.update(answers or {})
        return self.client.post(f"/a/{token}/submit", data=data)

    def result(self, token: str):
        return self.client.get(f"/a/{token}/result")
