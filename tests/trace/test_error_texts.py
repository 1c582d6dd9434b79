"""What capture errors say in the console (trace.error_texts, decision 0108): a problem and a fix per
error code, in English once and translated; every code the capture path can give has them."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

from medreg.trace.error_texts import SUBMISSION_TEXTS, TEXTS, SaidJobError, said_error
from medreg.trace.services.tabular_capture import STEPS
from tests.trace.test_epcis_document_conformance import OPENEPCIS_INVALID

TRACE = Path(__file__).resolve().parents[2] / "medreg" / "trace"
LAYER_CODE = re.compile(r"(document|schema|vocabulary)\.[a-z_]+")
CALLS_WITH_CODE = {"EventError": 2, "document_error": 1, "add": 1}  # the code's position among the arguments


def _codes_in_source() -> set[str]:
    """Error codes written in the capture path: layer codes anywhere, the code argument of every
    EventError, document_error and Collector.add, and the codes the state machine refuses with."""
    codes = set()
    for path in TRACE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and LAYER_CODE.fullmatch(node.value):
                codes.add(node.value)
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                position = CALLS_WITH_CODE.get(name)
                if position is not None and len(node.args) > position:
                    argument = node.args[position]
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        codes.add(argument.value)
            if isinstance(node, ast.FunctionDef) and node.name == "_refusal":
                for returned in ast.walk(node):
                    if isinstance(returned, ast.Return) and isinstance(returned.value, ast.Tuple):
                        codes.add(returned.value.elts[0].value)  # type: ignore[attr-defined]
    return codes


def test_every_error_code_of_the_capture_path_has_a_text() -> None:
    codes = _codes_in_source()
    assert {"pack_inactive", "aggregation_loop", "location_not_owned", "invalid_gln", "schema.required"} <= codes
    assert codes - set(TEXTS) == set()


def test_every_refusal_of_the_conformance_corpus_has_a_text() -> None:
    refused = {code for triples in OPENEPCIS_INVALID.values() for _, _, code in triples}
    assert refused == {
        "schema.action",
        "schema.datetime",
        "schema.element_order",
        "schema.identifiers_missing",
        "schema.number",
        "schema.required",
        "schema.type",
        "schema.unknown_field",
        "vocabulary.unknown_cbv_value",
    }
    assert refused - set(TEXTS) == set()


@pytest.mark.parametrize("code", sorted({**TEXTS, **SUBMISSION_TEXTS}))
def test_every_text_has_a_chinese_translation(code: str) -> None:
    text = {**TEXTS, **SUBMISSION_TEXTS}[code]
    with translation.override("zh-hans"):
        problem, fix = translation.gettext(text.problem), translation.gettext(text.fix)
    assert problem != text.problem
    assert fix != text.fix
    assert "%" not in problem + fix


def test_every_refusal_of_a_submission_has_a_text() -> None:
    source = (TRACE / "services" / "submission.py").read_text(encoding="utf-8")
    codes = {
        node.args[1].value  # type: ignore[attr-defined]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "single"
    }
    assert codes == {"unsupported_media_type", "too_large", "empty", "invalid_value"}
    assert codes - set(SUBMISSION_TEXTS) == set()


def test_the_table_steps_fix_names_every_step_a_table_may_report() -> None:
    named = re.findall(r"[a-z]+", TEXTS["unknown_step"].fix.removeprefix("Use "))
    assert [word for word in named if word != "or"] == list(STEPS)


STORED = {"event": 3, "field": "location", "code": "invalid_gln", "message": "'69' is not a 13-digit GLN.", "fix": "f"}


def test_an_error_is_said_in_chinese_with_its_own_message_beside_it() -> None:
    with translation.override("zh-hans"):
        said = said_error(STORED)
    assert said == SaidJobError(
        3,
        "location",
        "地点或收货方不是 13 位的全球位置码（GLN）。",
        "请填写本企业场所或收货方登记的 13 位 GLN；收货方可以留空。",
        "'69' is not a 13-digit GLN. f",
    )


def test_an_english_reader_gets_the_error_as_stored() -> None:
    with translation.override("en"):
        said = said_error(STORED)
    assert said == SaidJobError(3, "location", "'69' is not a 13-digit GLN.", "f", "")


def test_an_error_without_a_known_code_keeps_its_own_words() -> None:
    stored = {"event": None, "field": "", "code": "retired.code", "message": "m", "fix": ""}
    with translation.override("zh-hans"):
        said = said_error(stored)
    assert said == SaidJobError(None, "", "m", "", "")


def test_a_stored_error_that_is_not_an_object_is_shown_as_it_is() -> None:
    with translation.override("zh-hans"):
        said = said_error(["hand", "edited"])
    assert said == SaidJobError(None, "", "['hand', 'edited']", "", "")


def test_a_stored_error_with_odd_values_is_still_said() -> None:
    stored: dict[str, object] = {"event": True, "field": None, "code": None}  # e.g. hand-edited JSON
    with translation.override("zh-hans"):
        said = said_error(stored)
    assert said == SaidJobError(None, "", "", "", "")
