"""The Vietnamese catalog, as the tests read it: expected texts, and English left on a page.

Entrants read Vietnamese; an English sentence on a Vietnamese page is a
message someone forgot to translate (or a translation marked fuzzy, which
the compiled catalog leaves out). A page fails if its visible text holds an
English msgid of three words or more (shorter ones such as "OK" or a name
are too likely to be legitimate). The msgids come from the catalog and from
the source itself, so a message added in code but never extracted is caught
too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
VI_CATALOG = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
SOURCES = [("quiz/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sd]")
MIN_WORDS = 3


@dataclass(frozen=True)
class EnglishMessage:
    msgid: str
    pattern: re.Pattern


def _pattern(msgid: str) -> re.Pattern:
    """The msgid as it would read on a page: placeholders filled, whitespace folded."""
    parts = PLACEHOLDER.split(msgid.replace("%%", "%"))
    return re.compile(r"[^\n]+?".join(re.escape(re.sub(r"\s+", " ", part)) for part in parts))


def _long_enough(msgid: str) -> bool:
    """Three words or more, two of them real words (not all placeholders)."""
    return len(msgid.split()) >= MIN_WORDS and len(PLACEHOLDER.sub(" ", msgid).split()) >= 2


@cache
def _catalog():
    with VI_CATALOG.open("rb") as source:
        return read_po(source)


def vi(msgid: str, **params) -> str:
    """The Vietnamese text an entrant sees for `msgid` (fails if there is none)."""
    message = _catalog().get(msgid)
    assert message is not None, f"{msgid!r} is not in the Vietnamese catalog"
    text = message.string if isinstance(message.string, str) else message.string[0]
    assert text and not message.fuzzy, f"{msgid!r} has no Vietnamese translation"
    return text % params if params else text


@cache
def english_messages() -> tuple[EnglishMessage, ...]:
    """Every English msgid long enough to judge, that Vietnamese pages must not show."""
    ids: set[str] = set()
    for message in _catalog():
        if not message.id:
            continue
        msgids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for msgid in msgids:
            # An empty or fuzzy translation means the page shows the English.
            if message.fuzzy or msgid not in strings:
                ids.add(msgid)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT, SOURCES, KEYWORDS):
        msgids = [message] if isinstance(message, str) else [m for m in message if m]
        ids.update(m for m in msgids if msgids[0] not in known)
    return tuple(
        EnglishMessage(msgid, _pattern(msgid)) for msgid in sorted(ids) if _long_enough(msgid)
    )


# Text a person meets besides the body's visible text: the tab title, labels
# read out by screen readers, and the messages the page's script shows later.
SHOWN_TEXT_JS = """() => {
  const texts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (["aria-label", "title", "placeholder", "alt"].includes(attr.name)
          || attr.name.startsWith("data-msg-")) texts.push(attr.value);
    }
  }
  return texts.join("\\n");
}"""


def untranslated_on(page) -> list[str]:
    """English msgids the page shows (or will show) to a person reading Vietnamese."""
    text = page.evaluate(SHOWN_TEXT_JS)
    folded = "\n".join(" ".join(line.split()) for line in text.splitlines())
    return [m.msgid for m in english_messages() if m.pattern.search(folded)]
