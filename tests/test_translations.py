"""Every message the code and templates use has its Vietnamese translation.

The browser tests catch English on the screens they visit; this catches it
everywhere, including error messages no journey reaches.
"""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.conftest import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "_l": None, "lazy_gettext": None}  # fmt: skip


def used_messages() -> set[tuple[str | None, str]]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((context, msgid))
    return found


def test_every_message_in_use_is_translated_to_vietnamese():
    with (ROOT / "translations/vi/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    used = used_messages()
    assert len(used) > 500
    missing = []
    for context, msgid in sorted(used, key=lambda item: (item[0] or "", item[1])):
        entry = catalog.get(msgid, context=context)
        string = entry.string if entry else None
        translated = all(string) if isinstance(string, tuple | list) else bool(string)
        if not translated:
            missing.append(f"{context + ': ' if context else ''}{msgid}")
    assert missing == [], f"{len(missing)} without a Vietnamese translation (pybabel update)"


def test_the_template_holds_every_message_in_use():
    """translations/messages.pot is what `pybabel update` merges into the catalog: a stale
    one would drop new messages from it. Refresh it with
    pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-output -o translations/messages.pot .
    """
    with (ROOT / "translations/messages.pot").open("rb") as pot:
        template = read_po(pot)
    held = {(message.context, message.id if isinstance(message.id, str) else message.id[0])
            for message in template if message.id}  # fmt: skip
    assert held == used_messages()
