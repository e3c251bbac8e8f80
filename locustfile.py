"""Realistic load: entrants taking attempts, repeat entrants, organizers watching.

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/locust -f locustfile.py --headless -u 500 -r 50 -t 5m \
        --host http://127.0.0.1:8000

Entrants think between answers (a few seconds, as people read), so 500
simulated users is roughly the load of 500 people in an attempt at once.
Set QUIZ_CONTEST (default: the demo contest) and, for the organizer journey,
QUIZ_STAFF_USER / QUIZ_STAFF_PASSWORD.
"""

from __future__ import annotations

import os
import random
import re

from locust import FastHttpUser, between, task

CONTEST = os.environ.get("QUIZ_CONTEST", "tim-hieu-nghi-quyet")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UNIT = re.compile(r'<option value="(\d+)"')
TOKEN = re.compile(r"/a/([^/?\"]+)")
QUESTION = re.compile(r'<fieldset class="question" data-q="(\d+)">')


def phone() -> str:
    # Synthetic numbers in the 0900 xxx xxx range: never a real subscriber's pattern here.
    return f"0900{random.randrange(10**6):06d}"


class Entrant(FastHttpUser):
    """Contest page → register (or sign in again) → start → answer → submit → result."""

    weight = 10
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.phone, self.year = phone(), str(random.randint(1960, 2008))
        self.registered = False

    def _csrf(self, path: str) -> str | None:
        with self.client.get(path, name=path.split("?")[0], catch_response=True) as page:
            match = CSRF.search(page.text or "")
            if not match:
                page.failure("no CSRF token on the page")
                return None
            return match.group(1)

    def register(self) -> None:
        page = self.client.get(f"/c/{CONTEST}/register", name="/c/[contest]/register")
        csrf, units = CSRF.search(page.text or ""), UNIT.findall(page.text or "")
        if not csrf or not units:
            return
        data = {
            "csrf_token": csrf.group(1),
            "full_name": "Người Thử Tải",
            "birth_year": self.year,
            "gender": random.choice(["male", "female"]),
            "phone": self.phone,
            "unit": random.choice(units),
            "occupation": "other",
            "consent": "y",
        }
        response = self.client.post(
            f"/c/{CONTEST}/register", data=data, name="/c/[contest]/register", allow_redirects=False
        )
        self.registered = response.status_code == 303

    @task
    def take_an_attempt(self) -> None:
        if not self.registered:
            self.register()
            return
        csrf = self._csrf(f"/c/{CONTEST}")
        if csrf is None:
            return
        started = self.client.post(
            f"/c/{CONTEST}/r/1/start",
            data={"csrf_token": csrf},
            name="/c/[contest]/r/[n]/start",
            allow_redirects=False,
        )
        location = started.headers.get("Location", "") if started.status_code == 303 else ""
        token = TOKEN.search(location)
        if token is None:  # the attempt limit is reached, or "please wait": next time
            return
        token = token.group(1)
        paper = self.client.get(f"/a/{token}", name="/a/[token]")
        questions = QUESTION.findall(paper.text or "")
        for position in questions:
            self.wait_time_between_answers()
            self.client.post(
                f"/a/{token}/save",
                data={"q": position, "c": str(random.randrange(4))},
                headers={"X-CSRFToken": csrf},
                name="/a/[token]/save",
            )
        self.client.post(
            f"/a/{token}/submit",
            data={"csrf_token": csrf, "p": "2500"},
            name="/a/[token]/submit",
            allow_redirects=False,
        )
        for _ in range(3):
            result = self.client.get(f"/a/{token}/result", name="/a/[token]/result")
            if "http-equiv" not in (result.text or ""):
                break
            self.wait_time_between_answers()
        self.client.get(f"/c/{CONTEST}/r/1/leaderboard", name="/c/[contest]/r/[n]/leaderboard")

    def wait_time_between_answers(self) -> None:
        import gevent

        gevent.sleep(random.uniform(2, 8))


class Organizer(FastHttpUser):
    """Organizers watching their contests during a round."""

    weight = 1
    wait_time = between(10, 30)

    def on_start(self) -> None:
        user, password = os.environ.get("QUIZ_STAFF_USER"), os.environ.get("QUIZ_STAFF_PASSWORD")
        self.ready = False
        if not user or not password:
            return
        page = self.client.get("/console/login")
        csrf = CSRF.search(page.text or "")
        if csrf:
            response = self.client.post(
                "/console/login",
                allow_redirects=False,
                data={"csrf_token": csrf.group(1), "username": user, "password": password},
            )
            self.ready = response.status_code == 303

    @task
    def watch(self) -> None:
        if not self.ready:
            return
        self.client.get("/console/", name="/console/")
        self.client.get("/console/contests", name="/console/contests")
