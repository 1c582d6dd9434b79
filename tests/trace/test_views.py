"""Traceability console pages: verify (public), pack trace, distribution tree, recall scope, the
alert queue, uploads and scans — exact contents, who sees what, pinned query counts."""

import re
from html import escape
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from medreg.core.models import AuditRecord, Role, User
from medreg.trace import svg
from medreg.trace.locations import gln_of
from medreg.trace.models import Alert, CaptureJob, Pack, Recall
from medreg.trace.selectors import HolderNode
from tests import factories
from tests.trace.epcis_builders import Chain, build_chain, document, object_event, receiving, sgln, sgtin
from tests.trace.test_walk_one_batch import LOT, PACKS, capture, walk

APPROVAL = "国药准字H20240001"
BATCH = {"approval_number": APPROVAL, "lot": LOT}


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return str(response.content.decode())


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


@pytest.fixture
def walked(db: None) -> Chain:
    """The six-pack batch of test_walk_one_batch: one pack sold at the pharmacy, one received there."""
    chain = build_chain()
    walk(Client(), chain)
    return chain


@pytest.fixture
def dispensed_twice(walked: Chain) -> Alert:
    capture(
        Client(),
        walked.tokens["pharmacy"],
        document(
            object_event(
                "urn:uuid:e12", "2026-03-06T10:00:00+08:00", "retail_selling", "retail_sold", PACKS[:1], "00003"
            )
        ),
    )
    return Alert.objects.get()


def user_of(chain: Chain, name: str) -> User:
    return User.objects.get(username=f"{name}_user")


# -- 1. verify ---------------------------------------------------------------------------------


def test_verify_page_shows_a_sold_pack_with_its_warning_and_no_trading_partner(walked: Chain) -> None:
    # when
    response = Client().get("/trace/", {"code": PACKS[0]})

    # then
    page = text_of(response)
    assert response.status_code == 200
    assert '<dd data-testid="pack-status"><strong>已销售</strong></dd>' in page
    assert "正品码：该药品已纳入追溯系统" in page
    assert "<li>该药品已被销售或使用，再次销售可能意味着假冒。</li>" in page
    assert "阿莫西林胶囊 0.25g" in page
    assert "杭州示范制药有限公司" in page
    assert "L2026A" in page
    assert "2028-02-29" in page
    assert "宁波示范医药有限公司" not in page
    assert "宁波示范大药房有限公司" not in page
    assert f'<input id="code" name="code" value="" placeholder="{PACKS[0]}" autofocus' in page  # ready to scan again


def test_verify_page_of_a_received_pack_has_no_warning(walked: Chain) -> None:
    page = text_of(Client().get("/trace/", {"code": PACKS[1]}))

    assert '<dd data-testid="pack-status"><strong>已入库</strong></dd>' in page
    assert 'data-testid="warnings"' not in page


def test_verify_page_says_unknown_for_an_unknown_code(walked: Chain) -> None:
    page = text_of(Client().get("/trace/", {"code": sgtin("00001", 99)}))

    assert "未知码：追溯系统中没有这件药品" in page
    assert "<li>追溯系统中没有这个追溯码。</li>" in page
    assert 'data-testid="pack-status"' not in page


def test_verify_page_in_english_and_its_empty_form(walked: Chain) -> None:
    english = text_of(Client().get("/trace/", {"code": PACKS[0], "lang": "en"}))
    empty = text_of(Client().get("/trace/"))

    assert '<dd data-testid="pack-status"><strong>Dispensed</strong></dd>' in english
    assert "Genuine code" in english
    assert "autofocus" in empty
    assert 'data-testid="verify-answer"' not in empty


def test_verify_page_query_count_is_pinned(walked: Chain, django_assert_max_num_queries: Any) -> None:
    client = Client()
    # the pack with its batch's recall flag; the drug summary (cached per process afterwards).
    # No session, no user: anonymous.
    with django_assert_max_num_queries(2):
        assert client.get("/trace/", {"code": PACKS[0]}).status_code == 200


# -- 2. pack trace -----------------------------------------------------------------------------


def steps_of(page: str) -> list[str]:
    return re.findall(r'<strong data-testid="step">([^<]*)</strong>', page)


def test_pack_trace_lists_the_exact_sequence_of_steps_and_the_containment(walked: Chain) -> None:
    # given
    national = factories.make_user("nmpa", Role.NATIONAL_REGULATOR, "000000")

    # when
    response = client_for(national).get("/trace/packs/", {"code": PACKS[3]})

    # then: the pack's own events and those of its case and pallet while it was inside them
    page = text_of(response)
    assert response.status_code == 200
    assert steps_of(page) == ["赋码", "装箱", "装箱", "发货出库", "收货入库", "拆箱"]
    assert "杭州示范制药有限公司" in page
    assert "宁波示范医药有限公司" in page
    containment = between(page, 'data-testid="containment"', "</ol>")
    assert containment.count("<li") == 2
    assert "urn" not in containment
    assert "gs1:00/" in containment


def test_pack_trace_of_a_sold_pack_ends_with_the_sale(walked: Chain) -> None:
    pharmacy = user_of(walked, "pharmacy")

    page = text_of(client_for(pharmacy).get("/trace/packs/", {"code": PACKS[0]}))

    assert steps_of(page) == [
        "赋码",
        "装箱",
        "装箱",
        "发货出库",
        "收货入库",
        "拆箱",
        "拆箱",
        "发货出库",
        "收货入库",
        "零售销售",
    ]


def test_pack_trace_is_refused_to_others(walked: Chain) -> None:
    # given: the distributor never held pack 1 itself, a Hangzhou regulator is out of its jurisdiction
    hangzhou = factories.make_user("hz", Role.CITY_REGULATOR, "330100")

    # when
    distributor = client_for(user_of(walked, "distributor")).get("/trace/packs/", {"code": PACKS[0]})
    foreign = client_for(hangzhou).get("/trace/packs/", {"code": PACKS[0]})
    anonymous = Client().get("/trace/packs/", {"code": PACKS[0]})

    # then
    assert (distributor.status_code, foreign.status_code) == (404, 404)
    assert "阿莫西林" not in text_of(distributor)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


# -- 3. distribution tree ----------------------------------------------------------------------


def test_distribution_tree_picture_names_every_holder_with_its_count(walked: Chain) -> None:
    # given
    national = factories.make_user("nmpa", Role.NATIONAL_REGULATOR, "000000")

    # when
    response = client_for(national).get("/trace/batches/", BATCH)
    alone = client_for(national).get("/trace/batches/tree.svg", BATCH)

    # then
    picture = between(text_of(response), "<svg", "</svg>")
    names = re.findall(r'<text x="\d+" y="\d+" class="name">([^<]*)</text>', picture)
    counts = re.findall(r'<text x="\d+" y="\d+" class="count">([^<]*)</text>', picture)
    assert list(zip(names, counts, strict=True)) == [
        ("杭州示范制药有限公司", "0 盒"),
        ("宁波示范医药有限公司", "4 盒"),
        ("宁波示范大药房有限公司", "2 盒"),
    ]
    assert "已销售 1 · 已入库 1" in picture or "已入库 1 · 已销售 1" in picture
    assert picture.count('class="edge"') == 2
    assert alone["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert text_of(alone).startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_distribution_tree_is_refused_to_a_pharmacy_and_open_to_the_holder(walked: Chain) -> None:
    pharmacy = client_for(user_of(walked, "pharmacy")).get("/trace/batches/", BATCH)
    holder = client_for(user_of(walked, "manufacturer")).get("/trace/batches/", BATCH)

    assert pharmacy.status_code == 403
    assert "宁波示范医药有限公司" not in text_of(pharmacy)
    assert holder.status_code == 200
    assert "4 盒" in text_of(holder)


def test_tree_picture_of_no_holder_says_so() -> None:
    picture = svg.render([], str)

    assert picture.count("<g ") == 0
    assert 'data-testid="distribution-tree"' in picture


def test_tree_picture_of_a_large_batch_merges_the_smallest_leaves() -> None:
    # given: one manufacturer, 3 distributors, 300 pharmacies
    maker = HolderNode("M", "制药", "/", 0, {})
    distributors = [HolderNode(f"D{n}", f"批发{n}", "/", 10, {"received": 10}, {"M"}) for n in range(3)]
    pharmacies = [HolderNode(f"P{n:03d}", f"药房{n}", "/", n, {"received": n}, {f"D{n % 3}"}) for n in range(300)]

    # when
    boxes = svg.boxes_of([maker, *distributors, *pharmacies])

    # then
    assert len(boxes) == svg.MAX_NODES
    assert [b.column for b in boxes if b.key in ("M", "D0")] == [0, 1]
    merged = [b for b in boxes if b.merged]
    assert [(b.merged, b.column) for b in merged] == [(245, 2)]
    assert merged[0].packs == sum(range(245))
    assert {b.key for b in boxes if b.column == 2} == {f"P{n}" for n in range(245, 300)} | {"more-2"}
    assert svg.render([maker, *distributors, *pharmacies], str).count("<g ") == svg.MAX_NODES


# -- 4. recall scope ---------------------------------------------------------------------------


def test_recall_page_counts_holders_and_sold_packs(walked: Chain) -> None:
    national = factories.make_user("nmpa", Role.NATIONAL_REGULATOR, "000000")

    page = text_of(client_for(national).get("/trace/batches/recall/", BATCH))

    assert '<dd data-testid="total">6</dd>' in page
    assert '<dd data-testid="held">5</dd>' in page
    assert '<dd data-testid="sold">1</dd>' in page
    holders = between(page, 'data-testid="recall-holders"', "</table>")
    expected = sorted(
        [
            (walked.distributor.uscc, "宁波示范医药有限公司", "已入库", "4"),
            (walked.pharmacy.uscc, "宁波示范大药房有限公司", "已入库", "1"),
        ]
    )
    rows = re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td><td class="num">(\d+)</td>', holders)
    assert rows == [row[1:] for row in expected]
    assert "/api/trace/batches/recall-scope?approval_number=" in page
    assert "&amp;format=csv" in page
    assert 'data-testid="recall-form"' in page


def test_holder_starts_a_recall_from_the_page(walked: Chain) -> None:
    # given
    client = client_for(user_of(walked, "manufacturer"))

    # when
    response = client.post(
        "/trace/batches/recall/?approval_number=国药准字H20240001&lot=L2026A", {"reason": "含量不合格", "level": "1"}
    )
    again = client.post(
        "/trace/batches/recall/?approval_number=国药准字H20240001&lot=L2026A", {"reason": "含量不合格", "level": "1"}
    )

    # then
    assert response.status_code == 302
    recall = Recall.objects.get()
    assert (recall.approval_number, recall.lot, recall.level, recall.reason) == (APPROVAL, LOT, 1, "含量不合格")
    assert AuditRecord.objects.filter(action="start_recall", object_id=str(recall.pk)).count() == 1
    assert again.status_code == 400
    assert Recall.objects.count() == 1
    assert "该批次药品正在召回" in text_of(client.get("/trace/", {"code": PACKS[1]}))


def test_a_pharmacy_may_not_start_a_recall(walked: Chain) -> None:
    response = client_for(user_of(walked, "pharmacy")).post(
        "/trace/batches/recall/?approval_number=国药准字H20240001&lot=L2026A", {"reason": "含量不合格", "level": "1"}
    )

    assert response.status_code == 403
    assert Recall.objects.count() == 0


# -- 5. alert queue ----------------------------------------------------------------------------


def test_alert_queue_shows_the_planted_alert_to_ningbo_and_not_to_hangzhou(dispensed_twice: Alert) -> None:
    # given
    ningbo = factories.make_user("nb", Role.CITY_REGULATOR, "330200")
    hangzhou = factories.make_user("hz", Role.CITY_REGULATOR, "330100")

    # when
    own = text_of(client_for(ningbo).get("/trace/alerts/"))
    other = text_of(client_for(hangzhou).get("/trace/alerts/"))

    # then
    queue = between(own, 'data-testid="alerts"', "</ul>\n")
    assert re.findall(r'data-rule="([a-z_]+)"', own) == ["dispensed_twice"]
    assert '<span class="badge">重复销售或核销</span>' in queue
    assert f"/trace/packs/?code={quote(dispensed_twice.pack_key)}" in queue
    assert queue.count('零售销售 · <code class="wrap">urn:uuid:e1') == 2
    assert "(1 条待处理)" in own
    assert f'宁波示范大药房有限公司 <code class="muted">{dispensed_twice.enterprise_code}</code>' in queue
    assert re.findall(r'data-rule="([a-z_]+)"', other) == []
    assert 'data-testid="no-alerts"' in other


def test_alert_queue_says_each_alert_in_chinese_and_in_english_on_request(
    walked: Chain, dispensed_twice: Alert
) -> None:
    # given a second alert whose text names a business step, a code reported but never commissioned
    ningbo = client_for(factories.make_user("nb", Role.CITY_REGULATOR, "330200"))
    capture(
        Client(),
        walked.tokens["pharmacy"],
        document(receiving("urn:uuid:e13", "2026-03-06T11:00:00+08:00", [sgtin("00001", 999)], "00003")),
    )
    never = Alert.objects.get(rule="code_not_commissioned")

    # when
    chinese = between(text_of(ningbo.get("/trace/alerts/")), 'data-testid="alerts"', "</ul>\n")
    english = between(text_of(ningbo.get("/trace/alerts/", {"lang": "en"})), 'data-testid="alerts"', "</ul>\n")

    # then the console says them in the reader's language, the step in its words
    key = dispensed_twice.pack_key
    assert f"<p>{key} 已经销售/核销过；再次销售/核销意味着追溯码被仿冒或药品被回收再售。</p>" in chinese
    assert f"<p>{never.pack_key} 在“收货入库”中被上报，但从未赋码。</p>" in chinese
    assert f"<p>{key} was already dispensed; a second dispensing means a cloned or resold pack.</p>" in english
    assert f"<p>{never.pack_key} was reported in Receiving (inbound) but was never commissioned.</p>" in english
    # and the API keeps the English message with the text's name and fields
    api = {a["rule"]: a for a in ningbo.get("/api/trace/alerts").json()}
    assert {rule: (a["message"], a["text"], a["fields"]) for rule, a in api.items()} == {
        "dispensed_twice": (
            f"{key} was already dispensed; a second dispensing means a cloned or resold pack.",
            "dispensed_twice",
            {"pack": key},
        ),
        "code_not_commissioned": (
            f"{never.pack_key} was reported in receiving but was never commissioned.",
            "code_not_commissioned",
            {"pack": never.pack_key, "step": "receiving"},
        ),
    }


def test_an_alert_without_a_known_text_shows_its_stored_message(dispensed_twice: Alert) -> None:
    # given alerts stored before texts were kept, or with fields an older text had
    ningbo = client_for(factories.make_user("nb", Role.CITY_REGULATOR, "330200"))
    Alert.objects.filter(pk=dispensed_twice.pk).update(text="", text_fields={})
    before = between(text_of(ningbo.get("/trace/alerts/")), 'data-testid="alerts"', "</ul>\n")
    Alert.objects.filter(pk=dispensed_twice.pk).update(text="dispensed_twice", text_fields={"code": "x"})
    older = between(text_of(ningbo.get("/trace/alerts/")), 'data-testid="alerts"', "</ul>\n")

    # then the page shows the English message it stored
    assert f"<p>{dispensed_twice.message}</p>" in before
    assert f"<p>{dispensed_twice.message}</p>" in older


def test_alert_queue_filters_by_rule_and_status(dispensed_twice: Alert) -> None:
    ningbo = client_for(factories.make_user("nb", Role.CITY_REGULATOR, "330200"))

    other_rule = text_of(ningbo.get("/trace/alerts/", {"rule": "commissioned_twice"}))
    closed = text_of(ningbo.get("/trace/alerts/", {"status": "closed"}))

    assert 'data-rule="' not in other_rule
    assert 'data-rule="' not in closed


def test_acknowledging_an_alert_changes_its_status_and_is_audited(dispensed_twice: Alert) -> None:
    # given
    ningbo = client_for(factories.make_user("nb", Role.CITY_REGULATOR, "330200"))

    # when
    response = ningbo.post(
        f"/trace/alerts/{dispensed_twice.pk}/status/",
        {"status": "acknowledged", "note": "已通知稽查", "next": "/trace/alerts/?rule=dispensed_twice"},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == "/trace/alerts/?rule=dispensed_twice"
    dispensed_twice.refresh_from_db()
    assert dispensed_twice.status == "acknowledged"
    record = AuditRecord.objects.get(action="alert_status", object_id=str(dispensed_twice.pk))
    assert (record.actor_username, record.channel, record.before, record.after) == (
        "nb",
        "console",
        {"status": "open"},
        {"status": "acknowledged", "note": "已通知稽查"},
    )
    assert 'data-rule="' not in text_of(ningbo.get("/trace/alerts/"))
    assert 'data-rule="dispensed_twice"' in text_of(ningbo.get("/trace/alerts/", {"status": "acknowledged"}))


def test_alert_status_is_refused_outside_the_jurisdiction_and_to_enterprises(
    dispensed_twice: Alert, walked: Chain
) -> None:
    # given
    hangzhou = client_for(factories.make_user("hz", Role.CITY_REGULATOR, "330100"))
    pharmacy = client_for(user_of(walked, "pharmacy"))
    audited = AuditRecord.objects.count()

    # when
    foreign = hangzhou.post(f"/trace/alerts/{dispensed_twice.pk}/status/", {"status": "closed"})
    enterprise = pharmacy.post(f"/trace/alerts/{dispensed_twice.pk}/status/", {"status": "closed"})
    queue = pharmacy.get("/trace/alerts/")
    bad = client_for(factories.make_user("nb", Role.CITY_REGULATOR, "330200")).post(
        f"/trace/alerts/{dispensed_twice.pk}/status/", {"status": "open"}
    )

    # then
    assert (foreign.status_code, enterprise.status_code, queue.status_code, bad.status_code) == (404, 403, 403, 400)
    dispensed_twice.refresh_from_db()
    assert dispensed_twice.status == "open"
    assert AuditRecord.objects.count() == audited


def test_alert_queue_query_count_is_pinned(dispensed_twice: Alert, django_assert_max_num_queries: Any) -> None:
    client = client_for(factories.make_user("nb", Role.CITY_REGULATOR, "330200"))
    # session, user, jurisdiction (scope), alerts, their evidence, enterprise names, counts per rule
    with django_assert_max_num_queries(7):
        assert client.get("/trace/alerts/").status_code == 200


# -- 6. uploads, scans, capture jobs -----------------------------------------------------------


def test_upload_creates_a_job_whose_page_shows_its_counts_and_row_errors(walked: Chain) -> None:
    # given: the pharmacy sells the pack it received, and one row carries a broken code
    client = client_for(user_of(walked, "pharmacy"))
    site = gln_of(sgln("00003"))
    table = (
        "event_time,step,code,location\n"
        f"2026-03-07 10:00:00,dispensing,{PACKS[1]},{site}\n"
        f"2026-03-07 10:01:00,dispensing,not-a-code,{site}\n"
    ).encode()

    # when
    response = client.post("/trace/uploads/", {"file": _file("sales.csv", table)})

    # then
    job = CaptureJob.objects.get(format="csv")
    assert response.status_code == 302
    assert response["Location"] == f"/trace/jobs/{job.pk}/"
    page = text_of(client.get(response["Location"]))
    assert '<dd data-testid="job-stored">1</dd>' in page
    assert '<dd data-testid="job-duplicates">0</dd>' in page
    assert '<dd data-testid="job-errors">1</dd>' in page
    assert "部分成功" in page
    assert 'http-equiv="refresh"' not in page
    rows = between(page, 'data-testid="job-error-rows"', "</table>")
    assert re.findall(r'<td class="num">([^<]*)</td><td><code>([^<]*)</code>', rows) == [("3", "code")]  # file line 3
    assert Pack.objects.get(key=walked_key(1)).status == "dispensed"
    # and the problem is said in Chinese, with the error's own English message and fix beside it
    message = "code: format of 'not-a-code' is not recognised."
    hint = (
        "Give a GS1 DataMatrix scan (]d2...), a bracketed element string ((01)...(21)...), "
        "a GS1 Digital Link URI (https://.../01/...), an EPC URN (urn:epc:id:sgtin:...) "
        "or a 20-digit China drug traceability code."
    )
    assert _problem_cell(rows) == (
        '无法识别该追溯码。 <span class="muted">请扫描或输入药品包装、箱或托盘上印制的码：20 位药品追溯码、GS1 条码、'
        f'GS1 数字链接或 EPC URI。</span><br><small class="muted" lang="en">{escape(message + " " + hint)}</small>'
    )
    english = between(
        text_of(client.get(response["Location"], {"lang": "en"})), 'data-testid="job-error-rows"', "</table>"
    )
    assert _problem_cell(english) == f'{escape(message)} <span class="muted">{escape(hint)}</span>'


def _problem_cell(rows: str) -> str:
    return re.findall(r'<td class="wrap-cell">(.*?)</td></tr>', rows, re.DOTALL)[0]  # type: ignore[no-any-return]


def test_an_unreadable_upload_is_refused_at_once(walked: Chain) -> None:
    client = client_for(user_of(walked, "pharmacy"))

    response = client.post("/trace/uploads/", {"file": _file("sales.xlsx", b"PK\x03\x04 not a workbook")})

    assert response.status_code == 400
    assert re.findall(r'<p class="error" data-testid="upload-error">([^<]*)</p>', text_of(response)) == [
        "该文件不是可读取的 Excel 工作簿。 请用 Excel 或 WPS 打开该文件，重新另存为 .xlsx（或 CSV UTF-8）格式。"
        " (The file is not a readable .xlsx workbook (broken zip). Open the file in Excel or WPS and save it"
        " again as .xlsx (or as CSV UTF-8).)"
    ]
    assert CaptureJob.objects.filter(format__in=["csv", "xlsx"]).count() == 0


def test_scan_report_creates_a_job(walked: Chain) -> None:
    client = client_for(user_of(walked, "pharmacy"))

    response = client.post(
        "/trace/scans/",
        {"step": "dispensing", "location": gln_of(sgln("00003")), "codes": f"\n{PACKS[1]}\r\n\n"},
    )

    job = CaptureJob.objects.get(format="rows")
    assert response.status_code == 302
    assert response["Location"] == f"/trace/jobs/{job.pk}/"
    assert (job.stored_count, job.error_count, job.submitted_by.username) == (1, 0, "pharmacy_user")  # type: ignore[union-attr]
    assert Pack.objects.get(key=walked_key(1)).status == "dispensed"


def test_scan_page_offers_the_callers_own_site(walked: Chain) -> None:
    page = text_of(client_for(user_of(walked, "pharmacy")).get("/trace/scans/"))

    assert f'<input name="location" value="{gln_of(sgln("00003"))}"' in page
    assert f'<option value="{gln_of(sgln("00001"))}"' not in page


def test_job_page_refreshes_itself_while_the_job_runs(walked: Chain) -> None:
    # given: a job still waiting in the queue
    job = CaptureJob.objects.create(
        sender_enterprise_code=walked.pharmacy.uscc,
        jurisdiction_path=walked.pharmacy.jurisdiction.path,
        format="csv",
        document=b"",
        size_bytes=0,
        status="accepted",
    )

    page = text_of(client_for(user_of(walked, "pharmacy")).get(f"/trace/jobs/{job.pk}/"))

    assert '<meta http-equiv="refresh" content="3">' in page
    assert "已接收，等待处理" in page


def test_scan_form_refuses_a_bad_site_and_writes_nothing(walked: Chain) -> None:
    jobs = CaptureJob.objects.count()

    response = client_for(user_of(walked, "pharmacy")).post(
        "/trace/scans/", {"step": "dispensing", "location": "12345", "codes": PACKS[1]}
    )

    assert response.status_code == 400
    assert CaptureJob.objects.count() == jobs


def test_uploads_are_for_enterprises_and_jobs_for_their_sender(walked: Chain) -> None:
    ningbo = client_for(factories.make_user("nb", Role.CITY_REGULATOR, "330200"))
    job = CaptureJob.objects.filter(sender_enterprise_code=walked.pharmacy.uscc).first()
    assert job is not None

    assert ningbo.get("/trace/uploads/").status_code == 403
    assert client_for(user_of(walked, "distributor")).get(f"/trace/jobs/{job.pk}/").status_code == 404
    own = client_for(user_of(walked, "pharmacy")).get(f"/trace/jobs/{job.pk}/")
    assert own.status_code == 200
    assert "成功" in text_of(own)


def _file(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    return SimpleUploadedFile(name, data)


def walked_key(index: int) -> str:
    return str(Pack.objects.filter(serial=str(index + 1), package_level=1).values_list("key", flat=True).get())
