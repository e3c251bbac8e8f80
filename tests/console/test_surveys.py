"""The survey console over HTTP: settings, questions (table and Excel), targets, live page,
invitations, and who may see whom."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models import Survey, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTarget
from quiz.surveys.sheet_writer import template_workbook
from tests.console.conftest import csrf
from tests.players import csrf_from, errors_in
from tests.surveys.sheets import add_responses, make_survey


def _settings(unit_id: int, **changes) -> dict:
    values = {
        "title": "Khảo sát việc làm",
        "slug": "viec-lam",
        "unit": str(unit_id),
        "introduction": "Xin mời trả lời.",
        "opens_at": "2026-12-01T08:00",
        "closes_at": "2026-12-31T17:00",
        "audience": "public",
        "conference": "0",
        "anonymous": "y",
        "per_device_limit": "1",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def _create(client, unit_id: int, **changes):
    page = client.get("/console/surveys/new")
    data = {"csrf_token": csrf_from(page.text), **_settings(unit_id, **changes)}
    return client.post("/console/surveys/new", data=data)


def _survey_id(app, slug="viec-lam") -> int:
    with app.app_context():
        return db.session.scalar(select(Survey.id).where(Survey.slug == slug))


def test_an_organizer_creates_a_survey_for_their_unit(app, world, as_staff):
    org1 = as_staff("org1")
    made = _create(org1, world.units["D1"])
    assert made.status_code == 303 and made.location.endswith("/questions")
    with app.app_context():
        survey = db.session.scalar(select(Survey))
        assert (survey.unit_id, survey.anonymous, survey.audience) == (
            world.units["D1"],
            True,
            "public",
        )
        assert len(survey.salt) == 32
        assert survey.opens_at.hour == 1  # 08:00 in Viet Nam
    assert "Khảo sát việc làm" in org1.get("/console/surveys").text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": "2026-11-30T08:00"}, "phải đóng sau khi mở"),
        ({"audience": "delegates"}, "Chọn hội nghị"),
        ({"per_device_limit": "0"}, "từ 1 đến 20"),
        ({"slug": "Viec Lam"}, "chữ thường"),
    ],
)
def test_a_wrong_setting_is_refused_with_its_message(app, world, as_staff, changes, message):
    refused = _create(as_staff("org1"), world.units["D1"], **changes)
    assert refused.status_code == 422
    assert any(message in e for e in errors_in(refused.text)), errors_in(refused.text)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_a_survey_cannot_be_made_for_another_district(app, world, as_staff):
    assert _create(as_staff("org1"), world.units["D2"]).status_code in (404, 422)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def _line(kind="", code="", text="", **cells) -> dict:
    return {"kind": kind, "code": code, "text": text, **cells}


TABLE = [
    _line("Phần", text="Thông tin chung"),
    _line("Một lựa chọn", "Q1", "Anh/chị có việc làm không?", required="Có"),
    _line("Lựa chọn", "1", "Có"),
    _line("Lựa chọn", "2", "Không"),
    _line("Số", "Q2", "Thu nhập mỗi tháng (triệu đồng)?", min_value="0", max_value="500"),
    _line(),
    _line("Văn bản ngắn", "Q3", "Vì sao?", show_if_code="Q1", show_if_value="Không"),
]


def _post_table(client, survey_id: int, lines: list[dict]):
    page = client.get(f"/console/surveys/{survey_id}/questions")
    data = {"csrf_token": csrf_from(page.text), "lines": str(len(lines))}
    for n, line in enumerate(lines, start=1):
        data.update({f"r{n}-{key}": value for key, value in line.items()})
    return client.post(f"/console/surveys/{survey_id}/questions", data=data)


def test_questions_built_in_the_console_table_reach_respondents(app, world, as_staff):
    org1 = as_staff("org1")
    _create(org1, world.units["D1"], opens_at="2026-01-01T08:00", closes_at="2099-01-01T08:00")
    survey_id = _survey_id(app)
    saved = _post_table(org1, survey_id, TABLE)
    assert saved.status_code == 303
    with app.app_context():
        codes = db.session.scalars(select(SurveyQuestion.code).order_by(SurveyQuestion.position))
        assert list(codes) == ["Q1", "Q2", "Q3"]
        q3 = db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.code == "Q3"))
        assert q3.show_if_value == "2"  # the label "Không" became its value
    table = org1.get(f"/console/surveys/{survey_id}/questions").text
    assert 'value="Thu nhập mỗi tháng (triệu đồng)?"' in table  # the table shows what is kept
    form = app.test_client().get("/s/viec-lam")
    assert form.status_code == 200 and "Thu nhập mỗi tháng" in form.text


def test_a_wrong_table_is_refused_by_row_and_column_and_nothing_changes(app, world, as_staff):
    org1 = as_staff("org1")
    _create(org1, world.units["D1"])
    survey_id = _survey_id(app)
    assert _post_table(org1, survey_id, TABLE).status_code == 303
    wrong = [
        _line("Một lựa chọn", "Q1", "Câu một"),
        _line("Lựa chọn", "1", "Có"),  # one option only
        _line("Số", "Q1", "Trùng mã"),
        _line("Văn bản ngắn", "Q9", "Điều kiện sai", show_if_code="Q7", show_if_value="1"),
    ]
    refused = _post_table(org1, survey_id, wrong)
    assert refused.status_code == 422
    text = refused.text
    assert "Dòng 1" in text and "Dòng 3" in text and "Dòng 4" in text
    assert "Q7" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 3


def _upload(client, url: str, data: bytes):
    page = client.get(url.rsplit("/", 1)[0])
    return client.post(
        url,
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(data), "phieu.xlsx")},
        content_type="multipart/form-data",
    )


def _confirm(client, url: str, preview):
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    return client.post(url, data={"csrf_token": csrf_from(preview.text), "token": token})


def test_an_excel_questionnaire_is_checked_then_imported_once_confirmed(app, world, as_staff):
    org1 = as_staff("org1")
    _create(org1, world.units["D1"])
    survey_id = _survey_id(app)
    base = f"/console/surveys/{survey_id}/questions"
    preview = _upload(org1, base + "/upload", template_workbook())
    assert preview.status_code == 200 and "Q5" in preview.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 0
    assert _confirm(org1, base + "/import", preview).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 7
    download = org1.get(base + ".xlsx")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert [c.value for c in sheet["B"]][:3] == ["Mã", None, "Q1"]


def test_a_damaged_upload_is_refused_whole(app, world, as_staff):
    org1 = as_staff("org1")
    _create(org1, world.units["D1"])
    refused = _upload(org1, f"/console/surveys/{_survey_id(app)}/questions/upload", b"PK no")
    assert refused.status_code == 422 and "Chưa có dữ liệu nào được nhập" in refused.text


def test_questions_cannot_change_once_people_answered(app, world, as_staff):
    with app.app_context():
        survey = make_survey(world.units["D1"], slug="da-tra-loi")
        add_responses(survey, [world.units["D1-C1"]], 1)
        survey_id = survey.id
    org1 = as_staff("org1")
    shown = org1.get(f"/console/surveys/{survey_id}/questions").text
    assert '<fieldset class="plain" disabled>' in shown and "Kiểm tra và lưu" not in shown
    refused = _post_table(org1, survey_id, TABLE)
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 7


def test_the_live_page_counts_responses_per_unit_against_targets_by_day(app, world, as_staff):
    org1 = as_staff("org1")
    with app.app_context():
        survey = make_survey(world.units["D1"], slug="truc-tiep")
        add_responses(survey, [world.units["D1-C1"]], 3)  # 1 December
        add_responses(survey, [world.units["D1"]], 1)  # the district itself, no commune
        response = db.session.scalar(select(SurveyResponse).limit(1))
        response.submitted_on = dt.date(2026, 12, 2)
        db.session.commit()
        survey_id = survey.id
    page = org1.get(f"/console/surveys/{survey_id}/targets")
    data = {"csrf_token": csrf_from(page.text), f"t{world.units['D1-C1']}": "6"}
    assert org1.post(f"/console/surveys/{survey_id}/targets", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(SurveyTarget.target)) == 6
    live = org1.get(f"/console/surveys/{survey_id}")
    assert live.status_code == 200
    row = re.search(r"<tr><th scope=\"row\">Xã D1-1[^<]*</th>(.*?)</tr>", live.text, re.S)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert cells[-3:] == ["3", "6", "50,0%"]  # responses, target, rate
    assert "01/12" in live.text and "02/12" in live.text


@pytest.mark.parametrize("typed", ["nhiều", "²"])
def test_a_target_that_is_not_a_number_is_refused(app, world, as_staff, typed):
    """ "²".isdigit() is true but int("²") raises: refused with the message, never a 500."""
    org1 = as_staff("org1")
    with app.app_context():
        survey_id = make_survey(world.units["D1"], slug="muc-tieu").id
    page = org1.get(f"/console/surveys/{survey_id}/targets")
    data = {"csrf_token": csrf_from(page.text), f"t{world.units['D1-C1']}": typed}
    refused = org1.post(f"/console/surveys/{survey_id}/targets", data=data)
    assert refused.status_code == 422 and "Nhập số phiếu là số nguyên" in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyTarget)) == 0


def _invitation_list(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Đơn vị"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_invitations_are_imported_after_a_check_and_printed_with_working_codes(
    app, world, as_staff
):
    org1 = as_staff("org1")
    _create(org1, world.units["D1"], audience="invited", slug="moi")
    survey_id = _survey_id(app, "moi")
    base = f"/console/surveys/{survey_id}/invitations"
    bad = _upload(org1, base + "/upload", _invitation_list([["", "Huyện Một"], ["A", "Không có"]]))
    assert bad.status_code == 422 and "Dòng 2" in bad.text and "Dòng 3" in bad.text
    preview = _upload(
        org1, base + "/upload", _invitation_list([["Lò Thị Mai", ""], ["Cà Văn Tư", ""]])
    )
    assert preview.status_code == 200
    assert _confirm(org1, base + "/import", preview).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == 2
    printed = org1.get(base + "/print")
    assert printed.status_code == 200 and printed.text.count("<svg") == 2
    code = re.search(r'<p class="code"><b>([A-Z2-7-]{19})</b>', printed.text).group(1)
    assert app.test_client().get(f"/s/moi/i/{code}").status_code == 303


def test_another_district_and_viewers_cannot_manage_a_survey(app, world, as_staff):
    with app.app_context():
        survey_id = make_survey(world.units["D1"], slug="cua-d1").id
    org2, viewer = as_staff("org2"), as_staff("view1")
    assert org2.get(f"/console/surveys/{survey_id}").status_code == 404
    assert "cua-d1" not in org2.get("/console/surveys").text
    assert viewer.get(f"/console/surveys/{survey_id}").status_code == 200
    for page in ("questions", "targets", "invitations", "edit"):
        assert viewer.get(f"/console/surveys/{survey_id}/{page}").status_code == 403


@pytest.mark.parametrize(
    ("who", "anonymous", "status"),
    [("view1", False, 403), ("org1", True, 400), ("org1", False, 303)],
)
def test_the_people_behind_responses_go_only_to_editors_of_identified_surveys(
    app, world, as_staff, who, anonymous, status
):
    with app.app_context():
        survey_id = make_survey(world.units["D1"], slug="nguoi", anonymous=anonymous).id
    client = as_staff(who)
    asked = client.post(
        "/console/exports",
        data={"csrf_token": csrf(client), "kind": "survey_people", "survey_id": str(survey_id)},
    )
    assert asked.status_code == status


def test_flagged_responses_are_kept_or_discarded_by_an_organizer(app, world, as_staff):
    org1 = as_staff("org1")
    with app.app_context():
        survey = make_survey(world.units["D1"], slug="dot-bien")
        add_responses(survey, [world.units["D1-C1"]], 3, flagged=True)
        add_responses(survey, [world.units["D1-C1"]], 1, seed=2)
        survey_id = survey.id
        flagged = list(db.session.scalars(select(SurveyResponse.id).where(SurveyResponse.flagged)))
    live = org1.get(f"/console/surveys/{survey_id}")
    assert "đang chờ xem xét" in live.text and f"/surveys/{survey_id}/review" in live.text
    page = org1.get(f"/console/surveys/{survey_id}/review")
    assert page.text.count('name="response"') == 3
    token = csrf_from(page.text)
    url = f"/console/surveys/{survey_id}/review"
    data = {"csrf_token": token, "decision": "keep", "response": [str(flagged[0])]}
    assert org1.post(url, data=data).status_code == 303
    data = {"csrf_token": token, "decision": "discard", "response": [str(i) for i in flagged]}
    assert org1.post(url, data=data).status_code == 303
    with app.app_context():
        left = db.session.scalars(select(SurveyResponse.id).order_by(SurveyResponse.id)).all()
        assert flagged[0] in left and len(left) == 2  # kept one, the unflagged one
        assert not db.session.scalar(select(func.count()).where(SurveyResponse.flagged))
    assert as_staff("view1").get(url).status_code == 403
    assert as_staff("org2").get(url).status_code == 404


def test_more_empty_rows_keep_what_was_typed_and_save_nothing(app, world, as_staff):
    org1 = as_staff("org1")
    _create(org1, world.units["D1"])
    survey_id = _survey_id(app)
    page = org1.get(f"/console/surveys/{survey_id}/questions")
    data = {"csrf_token": csrf_from(page.text), "lines": "2", "more": "1"}
    data.update({"r1-kind": "Số", "r1-code": "Q1", "r1-text": "Bao nhiêu tuổi?"})
    more = org1.post(f"/console/surveys/{survey_id}/questions", data=data)
    assert more.status_code == 200
    assert 'value="Bao nhiêu tuổi?"' in more.text
    assert 'name="lines" value="42"' in more.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 0


def test_once_answered_the_audience_and_anonymity_stay(app, world, as_staff):
    org1 = as_staff("org1")
    with app.app_context():
        survey = make_survey(world.units["D1"], slug="viec-lam")
        add_responses(survey, [world.units["D1-C1"]], 1)
        survey_id = survey.id
    page = org1.get(f"/console/surveys/{survey_id}/edit")
    data = {"csrf_token": csrf_from(page.text), **_settings(world.units["D1"], anonymous=None)}
    refused = org1.post(f"/console/surveys/{survey_id}/edit", data=data)
    assert refused.status_code == 422 and "không thể đổi" in refused.text
    data["anonymous"] = "y"
    data["title"] = "Tên mới"
    assert org1.post(f"/console/surveys/{survey_id}/edit", data=data).status_code == 303
    with app.app_context():
        assert db.session.get(Survey, survey_id).title == "Tên mới"


def test_the_live_page_drills_down_the_unit_tree_within_the_survey(app, world, as_staff):
    with app.app_context():
        survey = make_survey(world.units["P"], slug="toan-tinh")
        add_responses(survey, [world.units["D1-C1"], world.units["D1-C2"]], 4)
        add_responses(survey, [None], 1, seed=3)  # a respondent of no unit
        survey_id = survey.id
        d1_survey = make_survey(world.units["D1"], slug="cua-huyen").id
    admin = as_staff("admin")
    top = admin.get(f"/console/surveys/{survey_id}")
    assert f'href="/console/surveys/{survey_id}?unit={world.units["D1"]}"' in top.text
    own = re.search(r"Của chính đơn vị, hoặc không rõ đơn vị</th>(.*?)</tr>", top.text, re.S)
    assert re.findall(r'<td class="num">([^<]*)</td>', own.group(1))[-3] == "1"
    district = admin.get(f"/console/surveys/{survey_id}?unit={world.units['D1']}")
    assert district.status_code == 200
    names = re.findall(r"<tbody>.*?</tbody>", district.text, re.S)[0]
    names = re.findall(r"<th scope=\"row\">([^<]+)</th>", names)
    assert [n.split(",")[0] for n in names] == ["Xã D1-1", "Xã D1-2"]
    foot = re.findall(r"<tfoot>.*?</tfoot>", district.text, re.S)[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', foot)[-3] == "4"  # the district's total
    org1 = as_staff("org1")
    assert org1.get(f"/console/surveys/{d1_survey}?unit={world.units['D2']}").status_code == 404


def test_a_response_still_queued_in_redis_counts_as_answered(app, world, as_staff):
    """An anonymous survey's responses wait in Redis for their group (hours): replacing the
    questions or the anonymity under them would drop their answers or keep them otherwise."""
    from quiz.surveys.counting import counted
    from quiz.surveys.store import pack_response, store_for
    from quiz.surveys.tokens import RespondentToken

    with app.app_context():
        survey = make_survey(world.units["D1"], slug="con-trong-hang")
        survey_id = survey.id
        token = RespondentToken(survey_id, "device:queued", 1, world.units["D1-C1"])
        store, packed = store_for(), pack_response(token, {}, "2026-12-05", True)
        counted(store, survey_id, lambda: store.submit(token, packed, "source"))
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    org1 = as_staff("org1")
    assert _post_table(org1, survey_id, TABLE).status_code == 409
    page = org1.get(f"/console/surveys/{survey_id}/edit")
    data = {"csrf_token": csrf_from(page.text), **_settings(world.units["D1"], anonymous=None)}
    refused = org1.post(f"/console/surveys/{survey_id}/edit", data=data)
    assert refused.status_code == 422 and "không thể đổi" in refused.text
    with app.app_context():
        assert db.session.get(Survey, survey_id).anonymous


def test_a_ticked_response_python_reads_as_a_digit_is_refused_plainly(app, world, as_staff):
    """ "²".isdigit() is true but int("²") raises: a ticked response of it is refused with
    a message, never a 500 (targets: test_a_target_that_is_not_a_number_is_refused)."""
    org1 = as_staff("org1")
    with app.app_context():
        survey_id = make_survey(world.units["D1"], slug="so-mu").id
    review = org1.get(f"/console/surveys/{survey_id}/review")
    ticked = {"csrf_token": csrf_from(review.text), "response": "²", "decision": "keep"}
    sent = org1.post(f"/console/surveys/{survey_id}/review", data=ticked)
    assert sent.status_code == 303
    assert "Hãy đánh dấu" in org1.get(sent.headers["Location"]).text
