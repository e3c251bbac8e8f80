"""Every form, upload and API of the app, attacked with hostile input as a class.

The URL map is read, so a route added later is attacked without editing this
file. The demo data is seeded and walked as in tests/test_vietnamese_pages.py
(its fixtures and people are reused); each POST form met on a page gives the
fields and default values of its route. Each POST route is then sent, with a
valid CSRF token and the session of the person whose page carries its form:
no fields, each field in turn replaced by a hostile value (empty, 100 kB,
NUL bytes, invalid UTF-8 and an encoded lone surrogate, 2**70, negative,
non-numeric, an impossible date, an unknown id), every field twice
(duplicate keys), garbage uploads and garbage JSON bodies. Every GET route is
asked with huge ids in its path and hostile values in the query parameters
the views read. Nothing may answer 500 or raise; an HTML answer never shows a
traceback or werkzeug's English error page; an import route leaves every
table with the rows it had. A route that cannot be attacked must say why in
NOT_ATTACKED.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import func, select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from quiz.console.survey_results import VIEW_ARGS
from quiz.demo import DEMO_ADMIN
from quiz.extensions import db
from quiz.models import Base
from tests import test_vietnamese_pages as pages

app_config = pages.app_config  # the demo's fixtures, reused as they are
demo = pages.demo

# Routes this test does not attack, and why.
NOT_ATTACKED = {
    "static": "files on disk, no input",
    "switch_language": "a redirect back with a fixed set of languages",
}
HUGE = str(2**70)
# One hostile value per kind; bytes go on the wire as they are (invalid UTF-8, lone surrogate).
VARIANTS: list[str | bytes] = [
    "",
    "x" * 100_000,
    "a\x00b",
    b"\xff\xfe\xed\xa0\x80",
    HUGE,
    "-1",
    "mot",
    "2026-13-45",
    "9999999999",
]
JSON_BODIES = [b'"x"', b'{"a": ' + HUGE.encode() + b', "b": [1]}', b"{not json"]
UPLOADS = [b"", b"PK\x03\x04 not a workbook", b"\x00" * 64, "tên,sđt\n\x00".encode()]
# Query parameters the views read, found in the source so that a new one is tried too.
READ_ARGS = re.compile(r"request\.args\.get\(\s*\"(\w+)\"")
PERIOD_ARGS = ("first", "last")  # the attendance period form reads request.args as a form
IMPORT_WORDS = ("import", "upload")
# Routes no page carries a form for (scripts post to them): the fields of a sibling's form.
SIBLING_FORMS = {"contest.save": "contest.submit", "surveys.save": "surveys.submit"}
# Fields sent to a route whose form no page of the demo shows (import confirmations, review).
GUESSED_FIELDS = {"token": "khong-co", "id": "1", "response": "1", "decision": "a", "code": "a"}


class FormFields(HTMLParser):
    """Each POST form of a page: its action, fields with their default values, file fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.open: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        name = values.get("name")
        if tag == "form" and (values.get("method") or "get").lower() == "post":
            self.open = {"action": values.get("action"), "fields": {}, "files": []}
        elif self.open is None or not name and tag != "option":
            return
        elif tag == "input":
            kind = (values.get("type") or "text").lower()
            if kind == "file":
                self.open["files"].append(name)
            elif kind in {"checkbox", "radio"}:
                if "checked" in values or name not in self.open["fields"]:
                    self.open["fields"][name] = values.get("value") or "y"
            elif kind not in {"submit", "button", "reset", "image"}:
                self.open["fields"][name] = values.get("value") or ""
        elif tag == "textarea":
            self.open["fields"][name] = ""
        elif tag == "select":
            self.select = name
            self.open["fields"].setdefault(name, "")
        elif (
            tag == "option"
            and self.select
            and ("selected" in values or not self.open["fields"].get(self.select))
        ):
            self.open["fields"][self.select] = values.get("value") or ""

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form" and self.open is not None:
            self.forms.append(self.open)
            self.open = None

    @classmethod
    def of(cls, html: str) -> list[dict]:
        parser = cls()
        parser.feed(html)
        return parser.forms


def _people(app, demo) -> dict:
    return {
        "administrator": pages._staff_client(app, DEMO_ADMIN),
        "entrant": pages._entrant(app, demo),
        "attendee": pages._attendee(app, demo),
        "anonymous": app.test_client(),
    }


def _owner(endpoint: str) -> str:
    """Whose session a route is attacked with when no page of the walk carried its form."""
    area = endpoint.split(".")[0] if endpoint != "console.login" else "anonymous"
    return {"console": "administrator", "conferences": "attendee", "contest": "entrant"}.get(
        area, "anonymous"
    )


def _walk_forms(app, demo, people, rules) -> dict[str, tuple[str, dict, str]]:
    """endpoint → (who, form, page URL) for every POST form the people meet on the demo's pages."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, tuple[str, dict, str]] = {}
    for rule, url, missing in pages._walk(rules, demo):
        if missing:
            continue
        for who, client in people.items():
            if rule.endpoint.startswith("console.") != (who == "administrator"):
                continue
            status, kind, body = pages._answer(client, "GET", url)
            if status != 200 or kind != "text/html":
                continue
            for form in FormFields.of(body.decode()):
                path = urlsplit(form["action"] or url).path
                try:
                    endpoint, _args = adapter.match(path, method="POST")
                except (NotFound, MethodNotAllowed):
                    continue
                # The richest form wins (a page may carry a bare button for the same route).
                if len(form["fields"]) >= len(
                    found.get(endpoint, (0, {"fields": {}}))[1]["fields"]
                ):
                    found[endpoint] = (who, form, path)
    for endpoint, sibling in SIBLING_FORMS.items():
        if endpoint not in found and sibling in found:
            who, form, path = found[sibling]
            found[endpoint] = (who, form, path.rsplit("/", 1)[0] + "/save")
    return found


def _body(pairs: list[tuple[str, str | bytes]]) -> bytes:
    return urlencode(pairs).encode()


def _check(problems: list, what: str, response) -> None:
    status, kind = response.status_code, response.mimetype
    if status >= 500:
        problems.append(f"{what}: {status}")
    elif kind == "text/html":
        text = response.get_data(as_text=True)
        if "Traceback" in text or re.search(r"<title>\d{3} [A-Z][a-z]", text):
            problems.append(f"{what}: English error page or traceback [{status}]")


def _send(problems, client, what: str, url: str, **kwargs) -> None:
    try:
        with client.post(url, **kwargs) as response:
            _check(problems, what, response)
    except Exception as error:  # noqa: BLE001 -- a raised error is the 500 this test hunts
        problems.append(f"{what}: raised {type(error).__name__}: {str(error)[:200]}")


def _rows() -> dict[str, int]:
    db.session.rollback()
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
    db.session.rollback()
    return counts


def _attack_post(problems, client, endpoint, url, form, token) -> None:
    """Missing fields, each field hostile in turn, duplicate keys, garbage JSON and uploads."""
    fields = dict(form["fields"]) if form else dict(GUESSED_FIELDS)
    fields.pop("csrf_token", None)
    urlencoded = {"content_type": "application/x-www-form-urlencoded"}
    base = [("csrf_token", token)]
    _send(problems, client, f"{endpoint} no fields", url, data=_body(base), **urlencoded)
    for i, name in enumerate(fields):
        value = VARIANTS[i % len(VARIANTS)]
        pairs = base + [(k, value if k == name else v) for k, v in fields.items()]
        what = f"{endpoint} {name}={value[:20]!r}"
        _send(problems, client, what, url, data=_body(pairs), **urlencoded)
    for value in ("x" * 100_000, "a\x00b", HUGE):
        pairs = base + [(k, value) for k in fields]
        what = f"{endpoint} all fields={value[:20]!r}"
        _send(problems, client, what, url, data=_body(pairs), **urlencoded)
    twice = base + [(k, v) for k, v in fields.items()] + [(k, "2") for k in fields]
    _send(problems, client, f"{endpoint} duplicate keys", url, data=_body(twice), **urlencoded)
    for raw in JSON_BODIES:
        headers = {"X-CSRFToken": token}
        what = f"{endpoint} JSON {raw[:20]!r}"
        _send(
            problems, client, what, url, data=raw, content_type="application/json", headers=headers
        )
    for name in (form or {}).get("files", []):
        for raw in UPLOADS:
            data = {"csrf_token": token, **fields, name: (io.BytesIO(raw), "tep.xlsx")}
            what = f"{endpoint} upload {raw[:12]!r}"
            _send(problems, client, what, url, data=data, content_type="multipart/form-data")
        data = {"csrf_token": token, **fields, name: "not a file"}
        _send(problems, client, f"{endpoint} upload as text", url, data=data)


def _token(client, people_forms: dict, who: str) -> str:
    for owner, form, _path in people_forms.values():
        if owner == who and form["fields"].get("csrf_token"):
            return form["fields"]["csrf_token"]
    return "no-token"


def _post_url(rule, demo) -> str:
    """The route's URL with the demo's arguments; what the demo lacks gets a made-up value."""
    args = {**demo.common, **demo.first, **demo.args.get(rule.endpoint, {})}
    url, missing = pages._url(rule, args)
    if missing:
        args |= {name: "khong-co" for name in rule.arguments}
        url, _ = pages._url(rule, {**args, **demo.common, **demo.first})
    return url


def test_every_post_route_refuses_hostile_input(app, demo):
    people = _people(app, demo)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in NOT_ATTACKED]
    getters = [r for r in rules if "GET" in r.methods and not r.rule.endswith(".js")]
    forms = _walk_forms(app, demo, people, getters)
    posts = [r for r in rules if "POST" in r.methods]
    posts.sort(key=lambda r: (r.endpoint.endswith("logout"), r.rule))  # sign out last
    problems: list[str] = []
    for rule in posts:
        who, form, url = forms.get(rule.endpoint, (_owner(rule.endpoint), None, None))
        url = url or _post_url(rule, demo)
        client = people[who]
        importing = any(word in rule.endpoint for word in IMPORT_WORDS)
        with app.app_context():
            before = _rows() if importing else None
        _attack_post(problems, client, rule.endpoint, url, form, _token(client, forms, who))
        if importing:
            with app.app_context():
                after = _rows()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed:
                problems.append(f"{rule.endpoint} wrote rows on refused posts: {changed}")
    assert problems == [], "\n".join(problems)


def _query_names() -> list[str]:
    root = Path(__file__).resolve().parent.parent / "quiz"
    names = {m for path in root.rglob("*.py") for m in READ_ARGS.findall(path.read_text())}
    return sorted(names | set(VIEW_ARGS) | set(PERIOD_ARGS))


def test_every_get_route_refuses_huge_ids_and_hostile_queries(app, demo):
    people = _people(app, demo)
    rules = [
        r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in NOT_ATTACKED
    ]
    names = _query_names()
    problems: list[str] = []
    for rule, url, missing in pages._walk(rules, demo):
        client = people[_owner(rule.endpoint)]
        hostile_urls = []
        if not missing:
            for value in (HUGE, "9999999999", "-5", "2026-13-45", "a\x00b\xff" * 1_000):
                hostile_urls.append(f"{url}?{urlencode([(n, value) for n in names])}")
            hostile_urls.append(f"{url}?{urlencode([(n, v) for n in names for v in ('1', '2')])}")
        if "int:" in rule.rule:
            args = {**demo.common, **demo.first, **demo.args.get(rule.endpoint, {})}
            huge = {name: HUGE for name in rule.arguments if f"int:{name}" in rule.rule}
            hostile_urls.append(pages._url(rule, {**args, **huge})[0])
        for each in hostile_urls:
            try:
                with client.get(each) as response:
                    _check(problems, f"GET {each[:120]}", response)
            except Exception as error:  # noqa: BLE001 -- a raised error is the 500 this test hunts
                problems.append(f"GET {each[:120]}: raised {type(error).__name__}: {error}"[:300])
    assert problems == [], "\n".join(problems)


def test_the_form_reader_finds_fields_defaults_and_files():
    html = (
        '<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">'
        '<input name="a" value="1"><select name="s"><option value="7">7</option>'
        '<option value="8" selected>8</option></select><input type="file" name="f">'
        '<input type="submit" name="go" value="Lưu"></form>'
        '<form method="get"><input name="q"></form>'
    )
    (form,) = FormFields.of(html)
    assert form["fields"] == {"csrf_token": "t", "a": "1", "s": "8"}
    assert form["files"] == ["f"] and form["action"] == "/x"
    assert json.loads(JSON_BODIES[0]) == "x"
