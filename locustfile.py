"""Realistic load: entrants and returning entrants, a conference's check-in, organizers.

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/locust -f locustfile.py --headless -u 500 -r 50 -t 5m \
        --host http://127.0.0.1:8000

Journeys (each a user class; request names are per request type so the
table aggregates them):

- Entrant: contest page → register → start → answer saves (a few seconds of
  reading each) → submit → result, polling the score as the page does →
  leaderboard; once or twice, then the person leaves and may come back.
- ReturningEntrant: someone an Entrant of this run registered comes back on
  another device, signs in again by phone and year of birth, and takes
  further attempts (up to 12) until the round refuses more (409, expected).
- Projector: the screen in the hall (one per run): polls the rotating venue
  code as the projector page does; attendees read the code from it.
- Attendee: a delegate arriving: opens the venue link with the code on the
  screen, types their phone, is checked in, opens the conference documents.
- Doorkeeper: staff at a door scanning delegates' personal QR codes through
  the check-in API, one scan every few seconds, as the scanning page sends it.
- Organizer: staff watching the dashboard during a round.

Entrants think between answers, so 500 simulated users is roughly the load
of 500 people in an attempt at once. Environment variables:

- QUIZ_CONTEST (default: the demo contest), QUIZ_ROUND (default 1);
- QUIZ_STAFF_USER / QUIZ_STAFF_PASSWORD for the staff journeys (Organizer,
  Projector, Doorkeeper); when unset, the demo administrator whose password
  `seed-demo` keeps in instance/demo_admin_password;
- QUIZ_CHECKIN_TOKENS: a file of delegates' personal codes, one a line
  (default: instance/demo_delegate_tokens, written by `seed-demo` for the
  demo conference); the conference is the one the codes name, or
  QUIZ_CONFERENCE (its id);
- QUIZ_DELEGATE_PHONES, a format for the n-th delegate's phone (default
  `0900{n:06d}`, the demo delegates' synthetic range), and QUIZ_DELEGATES,
  how many there are (default 500).

instance/ is QUIZ_INSTANCE_PATH when set, as for the server. A journey whose
settings are missing (no staff account, no conference) idles without a
request, so the run reports only what it could exercise.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import time
from collections import deque
from pathlib import Path

import gevent
from locust import FastHttpUser, between, task

CONTEST = os.environ.get("QUIZ_CONTEST", "tim-hieu-nghi-quyet")
ROUND = os.environ.get("QUIZ_ROUND", "1")
INSTANCE = Path(os.environ.get("QUIZ_INSTANCE_PATH", Path(__file__).resolve().parent / "instance"))
DEMO_ADMIN = "quantri"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
UNIT = re.compile(r'<option value="(\d+)"')
TOKEN = re.compile(r"/a/([^/?\"]+)")
QUESTION = re.compile(r'<fieldset class="question" data-q="(\d+)">')
SESSION = re.compile(r'<select id="session" data-session>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
DOCUMENT = re.compile(r'href="(/d/\d+/documents/\d+)"')
SCORED = re.compile(r'"scored":\s*true')
# Outcomes of a check-in that are right for a delegate on the list (a second scan is "already").
SCAN_FINE = {"checked_in", "conflict", "already_checked_in"}
STATUS_EVERY = 3  # seconds, as static/app.js polls the result
STATUS_POLLS = 20  # then the score is overdue: a failure in the table
ATTEMPTS_PER_PERSON = 12  # as in one provincial contest, where rounds allowed that many


def phone() -> str:
    # Synthetic numbers in the 0900 xxx xxx range: never a real subscriber's pattern here.
    return f"0900{random.randrange(10**6):06d}"


def think(low: float = 2, high: float = 8) -> None:
    """People read a question, or the screen, before they act."""
    gevent.sleep(random.uniform(low, high))


def staff_account() -> tuple[str, str] | None:
    """The configured staff account, else the demo administrator when the demo was seeded here."""
    user, password = os.environ.get("QUIZ_STAFF_USER"), os.environ.get("QUIZ_STAFF_PASSWORD")
    if user and password:
        return user, password
    demo = INSTANCE / "demo_admin_password"
    if not user and demo.exists():
        return DEMO_ADMIN, demo.read_text().strip()
    return None


def checkin_tokens() -> list[str]:
    path = Path(os.environ.get("QUIZ_CHECKIN_TOKENS", INSTANCE / "demo_delegate_tokens"))
    return path.read_text().split() if path.exists() else []


def conference_id(tokens: list[str]) -> str | None:
    """QUIZ_CONFERENCE, else the conference the personal codes name (`1-<id>-<secret>`)."""
    return os.environ.get("QUIZ_CONFERENCE") or (tokens[0].split("-")[1] if tokens else None)


TOKENS = checkin_tokens()
CONFERENCE = conference_id(TOKENS)
PHONES = os.environ.get("QUIZ_DELEGATE_PHONES", "0900{n:06d}")
DELEGATES = int(os.environ.get("QUIZ_DELEGATES", "500"))
# Shared by the users of this process: who may come back (for returning entrants),
# the code on the screen (for attendees), and who has not arrived yet.
RETURNING: deque[tuple[str, str]] = deque()
SCREEN: dict[str, str] = {}
NOT_ARRIVED = deque(random.sample(range(DELEGATES), DELEGATES))
NOT_SCANNED = deque(random.sample(TOKENS, len(TOKENS)))


def next_of(queue: deque, everyone) -> object:
    """Everyone arrives once first; after that, people come back (and get "already checked in")."""
    return queue.popleft() if queue else random.choice(everyone)


class Contestant(FastHttpUser):
    """What entrants and returning entrants do once signed in: attempts until the limit."""

    abstract = True

    def _csrf(self, path: str, name: str) -> str | None:
        with self.client.get(path, name=name, catch_response=True) as page:
            match = CSRF.search(page.text or "")
            if not match:
                page.failure("no CSRF token on the page")
                return None
            return match.group(1)

    def take_an_attempt(self) -> bool:
        """One attempt from the contest page to the leaderboard; False when none could start."""
        csrf = self._csrf(f"/c/{CONTEST}", "/c/[contest]")
        token = self.start_attempt(csrf) if csrf else None
        if token is None:
            return False
        paper = self.client.get(f"/a/{token}", name="/a/[token]")
        for position in QUESTION.findall(paper.text or ""):
            think()
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
        self.read_result(token)
        self.client.get(
            f"/c/{CONTEST}/r/{ROUND}/leaderboard", name="/c/[contest]/r/[n]/leaderboard"
        )
        return True

    def start_attempt(self, csrf: str) -> str | None:
        """The attempt's token; None when the round refuses (all attempts used: 409, expected)."""
        with self.client.post(
            f"/c/{CONTEST}/r/{ROUND}/start",
            data={"csrf_token": csrf},
            name="/c/[contest]/r/[n]/start",
            allow_redirects=False,
            catch_response=True,
        ) as started:
            token = TOKEN.search(started.headers.get("Location", "") or "")
            if started.status_code == 303 and token:
                return token.group(1)
            if started.status_code == 409:
                started.success()  # the limit: the entrant reads the page and stops
            else:
                started.failure(f"start answered {started.status_code}")
            return None

    def read_result(self, token: str) -> None:
        """The receipt, then the score: the page polls /status every 3 s until scored, then reloads.

        (The result page's meta refresh is only for browsers without script.)
        """
        result = self.client.get(f"/a/{token}/result", name="/a/[token]/result")
        if "data-status-url" not in (result.text or ""):
            return  # scored already, or scores are not shown in this round
        for poll in range(STATUS_POLLS):
            gevent.sleep(STATUS_EVERY)
            with self.client.get(
                f"/a/{token}/status", name="/a/[token]/status", catch_response=True
            ) as status:
                scored = status.status_code == 200 and SCORED.search(status.text or "") is not None
                if not scored and poll == STATUS_POLLS - 1:
                    status.failure(f"not scored {STATUS_EVERY * STATUS_POLLS} s after submit")
            if scored:
                self.client.get(f"/a/{token}/result", name="/a/[token]/result")
                return


class Entrant(Contestant):
    """Contest page → register → start → answer → submit → result, once or twice on this device.

    Then the person leaves (their phone and year go to RETURNING, where a
    ReturningEntrant may pick them up) and this user becomes someone new.
    """

    weight = 10
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.client.cookiejar.clear()
        self.phone, self.year = phone(), str(random.randint(1960, 2008))
        self.registered, self.attempts_here = False, random.randint(1, 2)

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
        if response.status_code in (200, 429):
            # The random phone is someone's already, under another year of birth (the
            # registration is refused, and retrying it would only spend that phone's
            # budget of tries): this user becomes someone else.
            self.on_start()

    @task
    def take_part(self) -> None:
        if not self.registered:
            self.register()
            return
        self.attempts_here -= 1
        if not self.take_an_attempt() or self.attempts_here <= 0:
            RETURNING.append((self.phone, self.year))
            self.on_start()


class ReturningEntrant(Contestant):
    """Someone registered earlier, on another device: sign in by phone and year, attempt again.

    In one provincial contest people took ~12 attempts each; they come back
    until the round's limit refuses another (an expected answer, not a
    failure). Only people an Entrant of this run registered and left come
    back, one device at a time, so no two users share an attempt.
    """

    weight = 4
    wait_time = between(5, 15)

    def sign_in(self, who: tuple[str, str]) -> bool:
        self.client.cookiejar.clear()  # another device: no session, no device cookie
        csrf = self._csrf(f"/c/{CONTEST}/login", "/c/[contest]/login")
        if csrf is None:
            return False
        phone_number, year = who
        with self.client.post(
            f"/c/{CONTEST}/login",
            data={"csrf_token": csrf, "phone": phone_number, "birth_year": year},
            name="/c/[contest]/login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"sign-in answered {response.status_code}")
            return response.status_code == 303

    @task
    def come_back(self) -> None:
        if not RETURNING:
            return  # nobody has left yet in this run
        if self.sign_in(RETURNING.popleft()):
            for _ in range(ATTEMPTS_PER_PERSON):
                if not self.take_an_attempt():
                    return
                think(5, 20)


class Staff(FastHttpUser):
    """A signed-in console session (the staff account from the environment or the demo)."""

    abstract = True

    def on_start(self) -> None:
        self.ready = False
        account = staff_account()
        if account is None or not self.configured():
            return
        csrf = CSRF.search(self.client.get("/console/login", name="/console/login").text or "")
        if csrf:
            user, password = account
            response = self.client.post(
                "/console/login",
                data={"csrf_token": csrf.group(1), "username": user, "password": password},
                name="/console/login",
                allow_redirects=False,
            )
            self.ready = response.status_code == 303 and self.prepare()

    def configured(self) -> bool:
        return True

    def prepare(self) -> bool:
        return True


class Organizer(Staff):
    """Organizers watching their contests during a round."""

    weight = 1
    wait_time = between(10, 30)

    @task
    def watch(self) -> None:
        if not self.ready:
            return
        self.client.get("/console/", name="/console/")
        self.client.get("/console/contests", name="/console/contests")


class Projector(Staff):
    """The screen in the hall: one per run, showing the code attendees type (or scan)."""

    fixed_count = 1
    wait_time = between(0, 0)

    def configured(self) -> bool:
        return CONFERENCE is not None

    def prepare(self) -> bool:
        page = self.client.get(f"/console/conferences/{CONFERENCE}/scan", name="/console/scan")
        sessions = OPTION.findall(next(iter(SESSION.findall(page.text or "")), ""))
        self.session = sessions[0] if sessions else None
        return self.session is not None

    @task
    def show(self) -> None:
        """Fetch code.json when the code changes, as static/checkin.js does."""
        if not self.ready:
            gevent.sleep(30)
            return
        with self.client.get(
            f"/console/conferences/{CONFERENCE}/sessions/{self.session}/code.json",
            name="/console/conferences/[id]/sessions/[id]/code.json",
            catch_response=True,
        ) as response:
            state = response.json() if response.status_code == 200 else {}
            if "code" not in state:
                response.failure("no code")
                gevent.sleep(3)
                return
        SCREEN["code"] = state["code"]
        gevent.sleep(max(0.5, (state["changes_in_ms"] + 200) / 1000))


class Attendee(FastHttpUser):
    """A delegate arriving: code on the screen → who are you (phone) → checked in → documents.

    Each arrival is a new phone (fresh cookies); delegates arrive in a
    shuffled order, and after everyone has, some come back.
    """

    weight = 6
    wait_time = between(2, 10)

    @task
    def arrive(self) -> None:
        if CONFERENCE is None or "code" not in SCREEN:
            return  # no conference configured, or the screen has no code yet
        self.client.cookiejar.clear()
        with self.client.get(
            f"/d/{CONFERENCE}/{SCREEN['code']}",
            name="/d/[conference]/[code]",
            allow_redirects=False,
            catch_response=True,
        ) as opened:
            if opened.status_code != 303:
                opened.failure("venue code refused")  # expired: the screen is not being polled
                return
        page = self.client.get(f"/d/{CONFERENCE}/who", name="/d/[conference]/who")
        csrf = CSRF.search(page.text or "")
        if not csrf:
            return
        think(3, 10)  # typing the number
        delegate = PHONES.format(n=next_of(NOT_ARRIVED, range(DELEGATES)))
        with self.client.post(
            f"/d/{CONFERENCE}/who",
            data={"csrf_token": csrf.group(1), "phone": delegate},
            name="/d/[conference]/who",
            catch_response=True,
        ) as done:
            if not re.search(r'class="card result (ok|warn)"', done.text or ""):
                done.failure("not checked in")
                return
        self.read_documents()

    def read_documents(self) -> None:
        home = self.client.get(f"/d/{CONFERENCE}/me", name="/d/[conference]/me")
        for document in DOCUMENT.findall(home.text or "")[:1]:
            think(1, 4)
            self.client.get(document, name="/d/[conference]/documents/[id]")


class Doorkeeper(Staff):
    """Staff at a door scanning personal QR codes: one POST per scan, as static/scan.js sends it."""

    weight = 2
    wait_time = between(1, 4)

    def configured(self) -> bool:
        return CONFERENCE is not None and bool(TOKENS)

    def prepare(self) -> bool:
        page = self.client.get(f"/console/conferences/{CONFERENCE}/scan", name="/console/scan")
        csrf = DATA_CSRF.search(page.text or "")
        self.csrf, self.device = (csrf.group(1) if csrf else None), secrets.token_hex(8)
        return self.csrf is not None

    @task
    def scan(self) -> None:
        if not self.ready:
            return
        scan = {
            "nonce": secrets.token_hex(16),
            "method": "personal_qr",
            "text": next_of(NOT_SCANNED, TOKENS),
            "at_ms": int(time.time() * 1000),
            "point_id": None,
            "session_id": None,
        }
        body = {"device": self.device, "point_id": None, "session_id": None, "scans": [scan]}
        with self.client.post(
            f"/console/conferences/{CONFERENCE}/checkins",
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.csrf,
            },
            name="/console/conferences/[id]/checkins",
            catch_response=True,
        ) as response:
            results = response.json().get("results") if response.status_code == 200 else None
            code = results[0].get("code") if results else None
            if code not in SCAN_FINE:
                response.failure(f"scan answered {response.status_code} {code}")
