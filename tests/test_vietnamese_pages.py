"""Every page reachable with the demo data reads as Vietnamese, walked as each kind of person.

The URL map is read, so a page added later is walked without editing this
file. Each GET route is requested as an anonymous visitor, an entrant with a
scored attempt, a checked-in conference attendee, the demo administrator and
a district's read-only viewer, in Vietnamese (the default), once per demo
contest. Every HTML answer, whatever its status (403 and 404 pages
included), must show no English outside ALLOWED_ENGLISH, no "None", no
"_x00" escape and no raw code; every workbook answer is read cell by cell
for the same leftovers; every form on a page is also sent back empty, and
its refusal read the same way. A route that none of them could walk must
say why in NOT_IN_DEMO or OPTIONAL_ARGS.

Routes are walked once per demo contest, once per demo survey (the public
one and the conference delegates' one) and once per export file: the
fixture makes one export of every kind the demo allows, as a worker would,
and computes the contest statistics and survey results a worker would
cache, so those pages show their figures and not only "being computed".
A survey's results page is also walked with each of its views (QUERIES): a
unit chosen, each demographic filter, a cross-tab, and all of them at once,
each computed first too.

The browser journeys (tests/browser) check their screens with the same
catalog of English messages; this walks the pages no journey reaches.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urlencode

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.http import HTTP_STATUS_CODES

from quiz import models
from quiz.conferences.venue import shown_code
from quiz.console.survey_results import CROSS_KINDS
from quiz.demo import DEMO_ADMIN, DEMO_SLUG, demo_phone, seed_demo
from quiz.demo_surveys import CONFERENCE_SLUG
from quiz.extensions import db
from quiz.reports.export_jobs import create_export, make_export
from quiz.reports.export_kinds import KINDS
from quiz.reports.stats_jobs import compute_contest_stats
from quiz.reports.survey_counts import FILTERS, clean_filters, question_infos
from quiz.reports.survey_jobs import compute_survey_results
from quiz.scoring.jobs import drain_submissions
from quiz.timeutil import now_ms
from tests.browser.catalog import _catalog, english_messages
from tests.helpers.staff import signed_in_client
from tests.players import Player, csrf_from

# Routes no person walks as a page: assets, health, the language switch.
NOT_PAGES = {"static", "health", "switch_language", "conferences.stylesheet"}
# Routes where the demo data has nothing to show, and why (walked anyway: their
# pages are checked, only their 200 is not expected).
NOT_IN_DEMO = {
    "surveys.invitation_link": "codes are stored hashed: the page for a wrong code is walked",
}
# Arguments the demo data may not have, and why: a route needing one is walked once it has.
OPTIONAL_ARGS: dict[str, str] = {}
# English a Vietnamese page may show: names of languages, products and formats, and
# words Vietnamese has borrowed or that are also Vietnamese syllables and names (Hạ Long).
ALLOWED_ENGLISH = {"english", "excel", "chart", "email", "website", "link", "long"}
URL = re.compile(r"\bhttps?://\S+")
# Routes also walked with query strings (their views), per survey: see `_survey_views`.
QUERIES = {"console.survey_results_page"}
# Routes that answer a redirect, never a page of their own.
REDIRECTS = {"conferences.venue_code"}
NONE = re.compile(r"\bNone\b")
ESCAPE = re.compile(r"_x00[0-9A-Fa-f]{2}_")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
WORD = re.compile(r"[A-Za-z]{4,}")


@cache
def raw_codes() -> frozenset[str]:
    """The stored codes people must never read as such (each enum's values)."""
    enums = [v for v in vars(models).values() if isinstance(v, type) and issubclass(v, str)]
    return frozenset(str(m.value) for e in enums if hasattr(e, "__members__") for m in e)


@cache
def english_words() -> frozenset[str]:
    """Words of the app's English messages that no Vietnamese translation uses."""
    english, vietnamese = set(), set()
    for message in _catalog():
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in ids:
            english.update(w.lower() for w in WORD.findall(text))
        for text in strings:
            vietnamese.update(w.lower() for w in WORD.findall(text or ""))
    for phrase in HTTP_STATUS_CODES.values():
        english.update(w.lower() for w in WORD.findall(phrase))
    return frozenset(english - vietnamese - ALLOWED_ENGLISH)


class ShownText(HTMLParser):
    """What a person reads: text outside scripts and styles, titles, labels and messages."""

    HIDDEN = {"script", "style", "template"}
    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open tags whose content is not read

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        english = (values.get("lang") or "").startswith("en")
        if tag in self.HIDDEN or english:
            if tag not in {"input", "img", "meta", "link", "br"}:
                self.skipping.append(tag)
            return
        for name, value in attrs:
            if value and (name in self.ATTRIBUTES or name.startswith("data-msg-")):
                self.parts.append(value)
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return "\n".join(" ".join(p.split()) for p in parser.parts if p.strip())


class EmptyForms(HTMLParser):
    """The page's POST forms that have a field to fill: (action, hidden values to send)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str | None, dict[str, str]]] = []
        self.open: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "get").lower() == "post":
            self.open = {"action": values.get("action"), "hidden": {}, "fields": 0}
        elif self.open is not None and tag in {"input", "select", "textarea"}:
            kind = (values.get("type") or "text").lower()
            if kind == "hidden" and values.get("name"):
                self.open["hidden"][values["name"]] = values.get("value") or ""
            elif kind not in {"hidden", "submit", "button", "file"}:
                self.open["fields"] += 1

    def handle_endtag(self, tag) -> None:
        if tag == "form" and self.open is not None:
            if self.open["fields"]:  # a bare button (delete, publish) is never pressed
                self.forms.append((self.open["action"], self.open["hidden"]))
            self.open = None

    @classmethod
    def of(cls, html: str) -> list[tuple[str | None, dict[str, str]]]:
        parser = cls()
        parser.feed(html)
        return parser.forms


def leftovers(text: str) -> list[str]:
    """What in `text` is not Vietnamese: English, "None", escapes, raw codes."""
    found = [f"English: {m.msgid!r}" for m in english_messages() if m.pattern.search(text)]
    words = WORD.findall(URL.sub(" ", text))
    found += [f"English word: {w!r}" for w in words if w.lower() in english_words()]
    found += [f"None: …{text[max(0, m.start() - 30) : m.end()]}" for m in NONE.finditer(text)]
    found += [f"escape: {m.group()!r}" for m in ESCAPE.finditer(text)]
    found += [f"raw code: {m.group()!r}" for m in SNAKE.finditer(text)]
    found += [f"raw code: {w!r}" for w in re.findall(r"\w+", text) if w in raw_codes()]
    return found


def workbook_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]
    return "\n".join(cells)


# --- the demo and the people who walk it -------------------------------------


@dataclass
class Demo:
    args: dict[str, dict[str, str]] = field(default_factory=dict)  # endpoint → its arguments
    common: dict[str, str] = field(default_factory=dict)
    # Each contest's, each survey's and each export's arguments: a route is walked once
    # per variant that gives it every argument it names.
    variants: list[dict[str, str]] = field(default_factory=list)
    # Each survey's query strings for the routes of QUERIES: survey id → its views.
    views: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def first(self) -> dict[str, str]:
        """The first contest's, survey's and export's arguments together: one URL per route."""
        merged: dict[str, str] = {}
        for variant in reversed(self.variants):
            merged |= variant
        return merged


def _first(model, *where) -> int | None:
    return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))


@pytest.fixture
def app_config(schema, database_url, redis_url, tmp_path):
    from tests.conftest import make_config

    return make_config(database_url, redis_url, CONFERENCE_DOCUMENTS_DIR=str(tmp_path / "docs"))


@pytest.fixture
def demo(app, tmp_path) -> Demo:
    app.instance_path = str(tmp_path)  # where the export files are written
    with app.app_context():
        contest, conference, _password = seed_demo(tmp_path / "password", tmp_path / "tokens")
        staff = db.session.scalar(select(models.Staff).where(models.Staff.username == DEMO_ADMIN))
        district = db.session.scalar(select(models.Unit.id).where(models.Unit.code == "SL-VS"))
        viewer = models.Staff(  # a district's viewer: it follows the province's contests
            username="xem", full_name="Người xem", role=models.Role.VIEWER, unit_id=district
        )
        viewer.password_hash = staff.password_hash
        db.session.add(viewer)
        # Every conference page shows something: walk-ins allowed, the contest's quiz attached.
        conference.allow_walk_ins, conference.round_id = True, contest.rounds[0].id
        db.session.commit()
        session = conference.sessions[0]
        demo = Demo()
        demo.common = {
            "slug": DEMO_SLUG,
            "number": "1",
            "contest_id": str(contest.id),
            "round_id": str(contest.rounds[0].id),
            "conference_id": str(conference.id),
            "session_id": str(session.id),
            "fmt": "png",
            "bank_id": str(_first(models.QuestionBank)),
            "unit_id": str(_first(models.Unit, models.Unit.parent_id.is_not(None))),
            "staff_id": str(viewer.id),
            "delegate_id": str(_first(models.Delegate)),
            "document_id": str(_first(models.ConferenceDocument)),
        }
        demo.args["conferences.invitation"] = {
            "token": (tmp_path / "tokens").read_text().split()[0]
        }
        code = shown_code(app.secret_key, conference.id, session.id, now_ms()).code
        demo.args["conferences.venue_code"] = {"code": code}
        # Every contest of the demo (one open, one finished with published winners).
        for each in db.session.scalars(select(models.Contest).order_by(models.Contest.id)):
            first = min(each.rounds, key=lambda r: r.number)
            demo.variants.append(
                {"slug": each.slug, "contest_id": str(each.id), "round_id": str(first.id),
                 "number": str(first.number), "shared_contest_id": str(each.id)}
            )  # fmt: skip
            compute_contest_stats(each.id)  # what the statistics page shows once a worker ran
        # Every survey: a public anonymous one with responses, and the delegates' one, made
        # identified here (it has no response yet) so that pages and exports naming who
        # answered are walked too.
        db.session.scalar(
            select(models.Survey).where(models.Survey.slug == CONFERENCE_SLUG)
        ).anonymous = False
        db.session.commit()
        for survey in db.session.scalars(select(models.Survey).order_by(models.Survey.id)):
            demo.variants.append({"survey_id": str(survey.id), "survey_slug": survey.slug})
            compute_survey_results(survey.id, {})
            demo.views[str(survey.id)] = _survey_views(survey, district)
        demo.common["invitation_code"] = "KHONGPHAIMA"  # codes are stored hashed
        demo.variants += [{"export_id": str(e)} for e in _every_export(staff)]
        winner = _first(models.Winner)
        if winner is not None:
            from quiz.results.certificates import winner_code

            demo.args["results.certificate"] = {"code": winner_code(winner)}
    return demo


def _commonest(name: str) -> str:
    """The demographic value most responses share: a filter on it shows figures, not the
    anonymity notice (which the view with every filter at once shows)."""
    column = getattr(models.SurveyResponse, name)
    return db.session.scalar(
        select(column).where(column.is_not(None)).group_by(column)
        .order_by(func.count().desc(), column).limit(1)
    )  # fmt: skip


def _survey_views(survey, unit_id: int) -> list[dict[str, str]]:
    """The results page's views of a survey: a district chosen, each filter, a cross-tab of
    its first two choice questions, and everything at once (too few responses for an
    anonymous survey: its notice is walked too); each variant computed as a worker would."""
    filters = {name: _commonest(name) for name in FILTERS}
    pair = [q.id for q in question_infos(survey) if q.kind in CROSS_KINDS][:2]
    cross = {"x1": str(pair[0]), "x2": str(pair[1])} if len(pair) == 2 else {}
    views = [{"unit": str(unit_id)}, *({name: value} for name, value in filters.items())]
    views += [cross, {"unit": str(unit_id), **filters, **cross}] if cross else []
    for view in views:
        compute_survey_results(survey.id, clean_filters(view))
        if "x1" in view:
            compute_survey_results(survey.id, clean_filters(view), pair)
    return views


def _every_export(staff) -> list[int]:
    """One file of each kind for each demo round, contest and survey, made as a worker would."""
    subjects = [("round_id", r, False) for r in db.session.scalars(select(models.Round.id))]
    subjects += [("contest_id", c, False) for c in db.session.scalars(select(models.Contest.id))]
    surveys = db.session.scalars(select(models.Survey))
    subjects += [("survey_id", s.id, s.anonymous) for s in surveys]
    made = []
    for kind, spec in KINDS.items():
        for name, subject_id, anonymous in subjects:
            if name in spec.params and not (anonymous and spec.identified_only):
                export = create_export(kind, {name: subject_id}, staff, staff.unit_id)
                db.session.commit()
                assert make_export(export.id) is not None, (kind, name, subject_id)
                made.append((kind, export.id))
    assert {kind for kind, _id in made} == set(KINDS), "an export kind the demo cannot make"
    return [export_id for _kind, export_id in made]


def _staff_client(app, username: str):
    with app.app_context():
        staff = db.session.scalar(select(models.Staff).where(models.Staff.username == username))
        return signed_in_client(app, staff)


def _entrant(app, demo: Demo):
    """An entrant of the demo contest with one submitted, scored attempt."""
    player = Player(app.test_client(), DEMO_SLUG)
    with app.app_context():
        commune = db.session.scalar(
            select(models.Unit.id).where(models.Unit.code == "SL-VS-01")
        )  # a commune of the demo province
    response = player.register(phone="0987654321", unit=str(commune), birth_year="1985")
    assert response.status_code == 303, response.text
    token = player.start()
    player.submit(token)
    with app.app_context():
        drain_submissions(max_seconds=10)
    demo.args["contest.result_page"] = demo.args["contest.status"] = {"token": token}
    demo.args["contest.attempt_page"] = {"token": player.start()}  # a second one, under way
    with app.app_context():
        from quiz.results.certificates import participation_code

        entrant = db.session.scalar(
            select(models.Entrant.id).where(models.Entrant.phone == "0987654321")
        )
        code = participation_code(int(demo.common["round_id"]), entrant)
    demo.args.setdefault("results.certificate", {"code": code})
    return player.client


def _attendee(app, demo: Demo):
    """A delegate checked in with the venue's code, as the demo test does it."""
    client = app.test_client()
    conference_id = demo.common["conference_id"]
    arrived = client.get(f"/d/{conference_id}/{demo.args['conferences.venue_code']['code']}")
    page = client.get(arrived.location)
    done = client.post(
        page.request.path, data={"csrf_token": csrf_from(page.text), "phone": demo_phone(7)}
    )
    assert done.status_code == 200, done.text
    return client


def _url(rule, args: dict[str, str]) -> tuple[str, set[str]]:
    """The route's URL with the demo's arguments, and the names of those it lacks."""
    if rule.endpoint.startswith("surveys."):  # a survey's own slug and invitation code
        args = {k: v for k, v in args.items() if k not in {"slug", "code"}}
        args |= {k: args[f"survey_{k}"] for k in ("slug",) if f"survey_{k}" in args}
        args |= {"code": args["invitation_code"]} if "invitation_code" in args else {}
    missing = {name for name in rule.arguments if name not in args}
    if rule.endpoint.startswith("surveys."):
        missing = {{"slug": "survey_slug", "code": "invitation_code"}.get(m, m) for m in missing}
    url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: args.get(m.group(1), ""), rule.rule)
    return url, missing


def _walk(rules, demo: Demo):
    """(rule, URL, missing arguments) for each route, once per variant that fills it."""
    for rule in sorted(rules, key=lambda r: r.rule):
        urls = {}
        for variant in demo.variants or [{}]:
            args = {**demo.common, **variant, **demo.args.get(rule.endpoint, {})}
            url, missing = _url(rule, args)
            urls.setdefault(url, missing)
            views = demo.views.get(args.get("survey_id", "")) if rule.endpoint in QUERIES else None
            for view in views or ():
                urls.setdefault(f"{url}?{urlencode(view)}", missing)
        complete = {url: missing for url, missing in urls.items() if not missing}
        yield from ((rule, url, missing) for url, missing in (complete or urls).items())


def _answer(client, method: str, url: str, data=None) -> tuple[int, str, bytes]:
    with client.open(url, method=method, data=data) as response:
        return response.status_code, response.mimetype, response.data


def _refusals(who: str, client, url: str, page: str) -> list[str]:
    """Each form of the page sent back empty: its refusal must read as Vietnamese too."""
    found = []
    for action, hidden in EmptyForms.of(page):
        status, kind, body = _answer(client, "POST", action or url, hidden)
        assert status < 500, (who, "POST", action or url, status)
        if kind == "text/html":
            found += [f"{who} POST {action or url} [{status}]: {p}" for p in leftovers(
                ShownText.of(body.decode())
            )]  # fmt: skip
    return found


def test_every_page_reads_as_vietnamese(app, demo):
    people = {
        "anonymous": app.test_client(),
        "entrant": _entrant(app, demo),
        "attendee": _attendee(app, demo),
        "administrator": _staff_client(app, DEMO_ADMIN),
        "viewer": _staff_client(app, "xem"),
    }
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and r.endpoint not in NOT_PAGES and not r.rule.endswith(".js")
    ]
    problems, walked, lacking = [], set(), set()
    for rule, url, missing in _walk(rules, demo):
        if missing:
            lacking |= missing
            walked.add(rule.endpoint)  # cannot be walked with this data, for a reason below
            continue
        for who, client in people.items():
            status, kind, body = _answer(client, "GET", url)
            assert status < 500, (who, url, status)
            walked.update([rule.endpoint] if status == 200 else [])
            if kind == "text/html":
                text = ShownText.of(body.decode())
            elif kind.endswith("spreadsheetml.sheet"):
                text = workbook_text(body)
            elif kind == "text/csv":
                text = body.decode("utf-8-sig")
            else:
                continue
            problems += [f"{who} {url} [{status}]: {p}" for p in leftovers(text)]
            if (
                rule.endpoint in QUERIES
                and "?" in url
                and who == "administrator"
                and b"data-reload-after" in body
            ):
                problems.append(f"{url}: still being computed, its figures are not walked")
            if kind == "text/html" and status == 200 and who != "viewer":
                problems += _refusals(who, client, url, body.decode())
    assert problems == [], "\n".join(problems)
    assert lacking <= set(OPTIONAL_ARGS), lacking - set(OPTIONAL_ARGS)
    # A route that only redirects with the demo data (the venue code, by design) is not a page.
    not_walked = {r.endpoint for r in rules} - walked - set(NOT_IN_DEMO) - REDIRECTS
    assert not_walked == set(), not_walked


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("Không tìm thấy", False),
        ("Forbidden", True),
        ("Chưa có (None)", True),
        ("Tên_x000D_ người", True),
        ("Lý do: not_invited", True),
        ("Hiện kết quả: after_close", True),
        ("3 entrants", True),
        ("Đăng nhập", False),
    ],
)
def test_leftovers_are_caught(app, text, caught):
    assert bool(leftovers(text)) is caught, leftovers(text)


def test_shown_text_skips_scripts_and_the_english_switch_but_reads_labels():
    html = (
        '<title>Trang</title><script>var None;</script><a lang="en" href="/lang/en">English</a>'
        '<input placeholder="Search here"><button aria-label="Sign out">x</button>'
    )
    text = ShownText.of(html)
    assert "None" not in text and "English" not in text
    assert "Search here" in text and "Sign out" in text
