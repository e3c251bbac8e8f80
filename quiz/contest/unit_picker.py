"""The unit list on the registration form: the tree, indented, plus "other".

Works as a plain <select> without JavaScript; a small script adds a search
box that matches without diacritics ("dong van" finds "Đồng Văn").
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from quiz.contest.registration import OTHER_UNIT
from quiz.units.tree import unit_tree


def unit_choices(root_id: int | None) -> tuple[list[SelectChoice], set[int]]:
    nodes = [n for n in unit_tree().subtree(root_id) if not n.merged]
    base = nodes[0].depth if nodes else 0
    choices = [SelectChoice("", _l("— choose your unit —"))]
    for node in nodes:
        indent = "\u2003" * (node.depth - base)  # em spaces keep the tree readable
        choices.append(SelectChoice(str(node.id), f"{indent}{node.name}"))
    choices.append(SelectChoice(OTHER_UNIT, _l("Other (write it below)")))
    return choices, {n.id for n in nodes}
