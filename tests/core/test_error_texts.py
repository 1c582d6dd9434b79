"""Errors said per code in the reader's language (core.error_texts, decision 0108): the table
reader's refusals, which every upload shares, and the sentence a form shows."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from medreg.core.error_texts import TABLE_TEXTS, SaidError, said, said_refusal
from medreg.core.errors import DomainError, FieldError
from medreg.core.tabular import Limits, read_table

TABULAR = Path(__file__).resolve().parents[2] / "medreg" / "core" / "tabular.py"
LIMITS = Limits(max_bytes=1_000, max_rows=10)


def test_every_refusal_of_the_table_reader_has_a_text() -> None:
    codes = {
        node.args[0].value  # type: ignore[attr-defined]
        for node in ast.walk(ast.parse(TABULAR.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "refuse"
    }
    assert len(codes) == 12
    assert codes == set(TABLE_TEXTS)


@pytest.mark.parametrize("code", sorted(TABLE_TEXTS))
def test_every_table_text_has_a_chinese_translation(code: str) -> None:
    text = TABLE_TEXTS[code]
    with translation.override("zh-hans"):
        assert translation.gettext(text.problem) != text.problem
        assert translation.gettext(text.fix) != text.fix


def test_a_refused_file_is_said_in_chinese_with_its_own_message_beside_it() -> None:
    with pytest.raises(DomainError) as refused:
        read_table(b"a,b\n" + b"1,2\n" * 11, "sales.csv", LIMITS)

    with translation.override("zh-hans"):
        chinese = said_refusal(refused.value)
    with translation.override("en"):
        english = said_refusal(refused.value)

    fix = "Split it into files of fewer rows and import them one by one."
    problem = "文件的行数超过平台允许的上限。 请拆分为多个较小的文件，逐个上传。"
    assert chinese == f"{problem} (The file has more than 10 data rows. {fix})"
    assert english == f"The file has more than 10 data rows. {fix}"


def test_errors_without_a_text_keep_their_own_words_and_several_are_joined() -> None:
    error = DomainError([FieldError("file", "empty_file", "The file is empty.", "f1"), FieldError("x", "other", "m2")])
    with translation.override("zh-hans"):
        assert said_refusal(error) == "文件是空的。 请发送第一行为列名的文件。 (The file is empty. f1); m2"
        assert said("other", "x", "m2", "", TABLE_TEXTS) == SaidError("x", "m2", "", "")
