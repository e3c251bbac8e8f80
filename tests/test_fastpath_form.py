"""The fast paths' body and cookie readers give what parse_qs and werkzeug give, limit included."""

from urllib.parse import parse_qs

import pytest
from werkzeug.http import parse_cookie

from quiz.fastpath import cookie_value, read_form

BODIES = [
    "",
    "q1=2",
    "q1=2&q1=3&q2=",
    "a",
    "=",
    "=b",
    "&&q1=1&",
    "q1=%C3%A1+b&x+y=1%2C2",
    "q1=b=c",
    "q1=1&&q2",
    "%zz=1&q3=%",
    "+=+",
    "q7=Nguy%E1%BB%85n+V%C4%83n+A&csrf_token=abc.def-ghi",
]


@pytest.mark.parametrize("keep_blank", [True, False])
@pytest.mark.parametrize("body", BODIES)
def test_read_form_matches_parse_qs(body, keep_blank):
    expected = parse_qs(body, max_num_fields=20, keep_blank_values=keep_blank)
    assert read_form(body.encode(), 20, keep_blank) == expected


def test_read_form_refuses_more_fields_than_allowed():
    with pytest.raises(ValueError):
        read_form(b"a=1&b=2&c=3", 2)
    assert read_form(b"a=1&b=2", 2) == {"a": ["1"], "b": ["2"]}


def test_read_form_refuses_a_body_that_is_not_utf8():
    with pytest.raises(UnicodeDecodeError):
        read_form(b"q1=\xff", 10)


@pytest.mark.parametrize(
    "header",
    ["", "quiz_session=abc.def", "a=1; quiz_session=x.y-z_1; b=2", 'quiz_session="q"', "a=1"],
)
def test_cookie_value_reads_a_header_as_werkzeug_does(header):
    assert cookie_value(header, "quiz_session") == parse_cookie(header).get("quiz_session")
