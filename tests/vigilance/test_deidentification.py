"""Every export for analysis is de-identified; the regulatory transmission keeps the content; each
access to clear identifiers is audited (decision 0206).

Free text is redacted at rest (`privacy.split_identifiers`): Chinese ID numbers, telephone numbers,
e-mail addresses and the report's own identifying values; the originals are encrypted with the other
identifiers, so the split stays lossless."""

import dataclasses
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import duckdb
import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from medreg.core.actor import Actor
from medreg.core.errors import PermissionDenied
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import scope_for
from medreg.core.tokens import issue_token
from medreg.vigilance.e2b import parse_batch
from medreg.vigilance.e2b.model import Report, Value
from medreg.vigilance.models import CaseDrug, CaseReaction, CaseVersion, SignalRun
from medreg.vigilance.privacy import Redactor, clear_values, merge_identifiers, split_identifiers
from medreg.vigilance.services import export_case, reveal_identifiers
from medreg.vigilance.services.codec import dump
from medreg.vigilance.signal_runs import export_case_rows
from tests import factories
from tests.vigilance.factories import E2B_DIR, make_report, send

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
FILLER = st.text(alphabet="患者服药后出现皮疹停药好转经处理于次日入院随访。，", max_size=12)
ID_NUMBER = "110105198001021237"  # a valid 居民身份证号 (check digit 7)
NARRATIVE = (
    f"患者张伟明（身份证号{ID_NUMBER}）服用阿莫西林胶囊后出现皮疹，家属电话 138 1234 5678，"
    "医院座机 0571-87654321，邮箱 zhang.weiming@example.cn；报告人 Robertson 随访。"
)
BASE = make_report()  # parsed once: the properties below only change its narrative and patient name
SECRETS = ("张伟明", ID_NUMBER, "138 1234 5678", "0571-87654321", "zhang.weiming@example.cn", "Robertson")


def id_number(area: int, birth: dt.date, sequence: int) -> str:
    """A valid 18-character resident ID number (GB 11643-1999 check character)."""
    body = f"{area:06d}{birth:%Y%m%d}{sequence:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


ID_NUMBERS = st.builds(
    id_number,
    st.integers(110000, 659999),
    st.dates(dt.date(1900, 1, 1), dt.date(2026, 11, 1)),
    st.integers(0, 999),
)
MOBILES = st.builds(
    lambda prefix, digits, sep, country: f"{country}1{prefix}{digits[:1]}{sep}{digits[1:5]}{sep}{digits[5:]}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.sampled_from(["", " ", "-"]),
    st.sampled_from(["", "+86 ", "+86-", "0086"]),
)
LANDLINES = st.builds(
    lambda area, first, rest, sep: f"0{area}{sep}{first}{rest}",
    st.text(alphabet="0123456789", min_size=2, max_size=3),
    st.sampled_from("23456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=7),
    st.sampled_from(["-", " ", ""]),
)
EMAILS = st.builds(
    lambda user, host: f"{user}@{host}.cn",
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._", min_size=1, max_size=12).filter(
        lambda u: u[0].isalnum()
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10),
)
CHINESE_NAMES = st.text(alphabet="张王李赵刘陈杨黄周吴伟芳娜敏静丽强磊军洋", min_size=2, max_size=3)


def with_narrative(report: Report, text: str, patient_name: str = "张伟明") -> Report:
    patient = dataclasses.replace(report.patient, name=Value(text=patient_name))
    return dataclasses.replace(report, narrative=Value(text=text), patient=patient)


def stored_text(report: Report) -> str:
    return json.dumps(dump(report), ensure_ascii=False)


# -- the redaction itself (hypothesis) -------------------------------------------------------------


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(
    before=FILLER,
    after=FILLER,
    secret=st.one_of(ID_NUMBERS, MOBILES, LANDLINES, EMAILS),
    full_width=st.booleans(),
)
def test_patterns_are_redacted_wherever_they_stand_and_the_split_is_lossless(
    before: str, after: str, secret: str, full_width: bool
) -> None:
    # given a narrative carrying an ID number, a telephone number or an e-mail address
    written = secret.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}) if full_width else secret
    report = with_narrative(BASE, f"{before}{written}{after}")
    # when
    deidentified, identifiers = split_identifiers(report)
    # then the stored report does not carry it, and the original comes back whole
    assert written not in stored_text(deidentified)
    assert deidentified.narrative is not None
    assert deidentified.narrative.text is not None
    assert deidentified.narrative.text.startswith(before)
    assert deidentified.narrative.text.endswith(after)
    assert identifiers[".narrative"] == {"text": f"{before}{written}{after}"}
    assert merge_identifiers(deidentified, identifiers) == report


@settings(max_examples=100, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, name=CHINESE_NAMES)
def test_the_patients_own_name_is_redacted_in_free_text(before: str, after: str, name: str) -> None:
    report = with_narrative(BASE, f"{before}{name}{after}", patient_name=name)
    deidentified, identifiers = split_identifiers(report)
    assert name not in stored_text(deidentified)
    assert merge_identifiers(deidentified, identifiers) == report


@settings(max_examples=100, deadline=None, database=None, derandomize=True)
@given(text=st.text(max_size=80), clear=st.lists(st.text(min_size=2, max_size=6), max_size=3))
def test_redaction_is_idempotent_and_never_fails(text: str, clear: list[str]) -> None:
    redactor = Redactor(clear)
    once = redactor.text(text)
    assert redactor.text(once) == once


def test_clinical_dates_and_values_are_kept() -> None:
    text = "2009-01-01 入院，WBC 13.5×10^9/L，批号 20220614101010，剂量 500 mg"
    assert Redactor({"ZWM"}).text(text) == text


def test_exact_tokens() -> None:
    redactor = Redactor({"张伟明", "ZWM"})
    assert redactor.text(NARRATIVE.replace("Robertson", "ZWM")) == (
        "患者[IDENTIFIER]（身份证号[ID-NUMBER]）服用阿莫西林胶囊后出现皮疹，家属电话 [PHONE]，"
        "医院座机 [PHONE]，邮箱 [EMAIL]；报告人 [IDENTIFIER] 随访。"
    )


def test_clear_values_cover_names_contacts_and_written_birth_dates() -> None:
    found = clear_values(make_report(patient_name="张伟明", reporter_family="Robertson"))
    assert {"张伟明", "Robertson", "Roger", "Roger Robertson", "6102227777", "alladdresses@site.com"} <= found
    assert {"20010615", "2001-06-15", "2001年6月15日", "2001/6/15"} <= found


def test_attached_documents_are_withheld_from_the_deidentified_report() -> None:
    report = parse_batch((E2B_DIR / "FAERS2022Scenario6.xml").read_bytes()).batch.reports[0]
    deidentified, identifiers = split_identifiers(report)
    assert [e.xml.count("[ATTACHMENT]") for d in deidentified.documents for e in d.ext] == [1, 1]
    assert all(len(e.xml) < 400 for d in deidentified.documents for e in d.ext)
    assert sorted(k for k in identifiers if k.startswith((".documents", ".literature"))) == [
        ".documents[0].ext",
        ".documents[1].ext",
        ".literature[0].ext",
    ]
    assert merge_identifiers(deidentified, identifiers) == report


# -- every export path --------------------------------------------------------------------------


@pytest.fixture
def stored(db: None) -> tuple[int, User]:
    """A holder's report whose narrative and reaction text carry identifiers; its drug is the holder's."""
    holder = factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))
    factories.make_drug(holder, "国药准字H20051234", name="阿莫西林胶囊")
    user = factories.make_user("ent_a", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)
    report = with_narrative(make_report("CN-DEID-1", drug_name="阿莫西林胶囊"), NARRATIVE)
    reaction = dataclasses.replace(
        report.reactions[0],
        term=dataclasses.replace(report.reactions[0].term, original_text="皮疹（家属电话13812345678）"),
    )
    report = dataclasses.replace(report, reactions=(reaction, *report.reactions[1:]))
    result = send(user, report)
    assert result.code == "AA"
    return result.stored[0][0], user


def leaked(text: str) -> list[str]:
    return [s for s in (*SECRETS, "13812345678") if s in text]


def bearer(user: User) -> dict[str, str]:
    _, token = issue_token(actor=Actor.system(), user=user, name="test")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
def test_stored_version_and_index_rows_are_deidentified(stored: tuple[int, User]) -> None:
    case_id, _user = stored
    version = CaseVersion.objects.get(case_id=case_id)
    assert leaked(json.dumps(version.report, ensure_ascii=False)) == []
    assert version.report["narrative"]["text"] == (
        "患者[IDENTIFIER]（身份证号[ID-NUMBER]）服用阿莫西林胶囊后出现皮疹，家属电话 [PHONE]，"
        "医院座机 [PHONE]，邮箱 [EMAIL]；报告人 [IDENTIFIER] 随访。"
    )
    terms = list(CaseReaction.objects.filter(case_id=case_id).order_by("sequence").values_list("reported_term"))
    assert terms[0] == ("皮疹（家属电话[PHONE]）",)
    assert leaked(str(list(CaseDrug.objects.values_list("name_as_reported", "active_ingredient")))) == []


@pytest.mark.django_db
def test_api_answers_and_deidentified_e2b_export_carry_no_identifier(
    stored: tuple[int, User], provincial_user: User
) -> None:
    case_id, holder = stored
    for user in (holder, provincial_user):
        client = Client()
        listing = client.get("/api/vigilance/cases", headers=bearer(user))
        detail = client.get(f"/api/vigilance/cases/{case_id}", headers=bearer(user))
        export = client.get(f"/api/vigilance/cases/{case_id}/e2b", headers=bearer(user))
        assert (listing.status_code, detail.status_code, export.status_code) == (200, 200, 200)
        assert leaked(listing.content.decode() + detail.content.decode() + export.content.decode()) == []
    assert AuditRecord.objects.filter(action__startswith="vigilance.identifiers").count() == 0


@pytest.mark.django_db
def test_console_case_page_carries_no_identifier(stored: tuple[int, User], provincial_user: User) -> None:
    case_id, _holder = stored
    client = Client()
    client.force_login(provincial_user)
    page = client.get(f"/vigilance/cases/{case_id}/").content.decode()
    assert "[ID-NUMBER]" in page
    assert leaked(page) == []


@pytest.mark.django_db
def test_signal_run_export_carries_no_identifier(stored: tuple[int, User], tmp_path: Path) -> None:
    # given the rows a signal run loads into DuckDB
    run = cast(SignalRun, SimpleNamespace(product_family="drug", jurisdiction_path="/", data_cutoff=None))
    con = duckdb.connect()
    # when
    counts = export_case_rows(con, run, tmp_path)
    # then
    assert counts["report_count"] == 1
    tables = ("drug_rows", "reaction_rows", "signal_detail")
    rows = [con.execute(f"SELECT * FROM {table}").fetchall() for table in tables]
    assert leaked(str(rows)) == []
    assert ("皮疹（家属电话[PHONE]）",) in con.execute("SELECT term FROM reaction_rows").fetchall()


@pytest.mark.django_db
def test_regulatory_transmission_keeps_the_content_and_is_audited(
    stored: tuple[int, User], national_user: User
) -> None:
    # given a national reviewer forwarding the case to an authorized receiver
    case_id, holder = stored
    actor = Actor(user=national_user)
    # when
    xml = export_case(actor=actor, scope=scope_for(national_user), case_id=case_id, identified=True)
    # then every identifier and the original free text are there, and the access is recorded
    report = parse_batch(xml).batch.reports[0]
    assert report.narrative == Value(text=NARRATIVE)
    assert report.patient.name == Value(text="张伟明")
    records = AuditRecord.objects.filter(action="vigilance.identifiers.exported")
    assert [(r.actor_username, r.object_id, r.after) for r in records] == [("national", str(case_id), {"version": 1})]
    # and an enterprise may not have it
    with pytest.raises(PermissionDenied):
        export_case(actor=Actor(user=holder), scope=scope_for(holder), case_id=case_id, identified=True)
    assert records.count() == 1


@pytest.mark.django_db
def test_reveal_returns_the_original_free_text_and_is_audited(stored: tuple[int, User], national_user: User) -> None:
    case_id, _holder = stored
    found = reveal_identifiers(actor=Actor(user=national_user), scope=scope_for(national_user), case_id=case_id)
    assert found[".narrative"] == {"text": NARRATIVE}
    assert found[".reactions[0].term"]["original_text"] == "皮疹（家属电话13812345678）"
    assert found[".patient.name"] == {"text": "张伟明"}
    assert AuditRecord.objects.filter(action="vigilance.identifiers.viewed").count() == 1
