"""How many options each question of a paper has, packed into a few characters.

Tokens carry these counts (`quiz.contest.tokens`) and so does the start
script's stored attempt (`quiz.scoring.admission`): one packing for both.
"""

from __future__ import annotations

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    """A non-negative integer in base 36 (what `int(text, 36)` reads back)."""
    if n == 0:
        return "0"
    out = []
    while n:
        n, r = divmod(n, 36)
        out.append(_DIGITS[r])
    return "".join(reversed(out))


# Options per question run from MIN_CHOICES to MAX_CHOICES (2 to 6): five
# values, packed as base-5 digits of one number (question 0 the lowest digit)
# written in base 36. A paper of 200 questions, the most a round allows,
# takes 90 characters; one of 10 takes 5.
_LOWEST, _RADIX = 2, 5


def pack_options(counts) -> str:
    number = 0
    for count in reversed(counts):
        if not _LOWEST <= count < _LOWEST + _RADIX:
            raise ValueError(f"a question with {count} options")
        number = number * _RADIX + count - _LOWEST
    return base36(number)


def unpack_options(text: str, size: int) -> tuple[int, ...]:
    number = int(text, 36)
    counts = []
    for _ in range(size):
        number, digit = divmod(number, _RADIX)
        counts.append(digit + _LOWEST)
    if number:
        raise ValueError("more option counts than questions")
    return tuple(counts)


def paper_options(paper) -> tuple[int, ...]:
    """Options per question of a paper ([[question id, "2031"], …]: the order lists them)."""
    return tuple(len(order) for _qid, order in paper)
