"""What alerts say (trace.alert_texts): English once, with named fields; the console says it in the
reader's language (decision 0106, point 9)."""

import re

import pytest
from django.utils import translation

from medreg.trace.alert_texts import TEXTS, said
from medreg.trace.models import Alert
from medreg.trace.views import _said

FIELD = re.compile(r"%\((\w+)\)s")


def test_a_text_says_its_fields_in_english() -> None:
    text = said("special_quantity_mismatch", shipment="DA1", count=3)
    assert text.fields == (("shipment", "DA1"), ("count", "3"))
    assert text.english() == "Shipment DA1: 3 special-control packs shipped but not received."


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_text_has_a_chinese_translation_with_the_same_fields(name: str) -> None:
    english = TEXTS[name]
    with translation.override("zh-hans"):
        chinese = translation.gettext(english)
    assert chinese != english
    assert sorted(FIELD.findall(chinese)) == sorted(FIELD.findall(english))
    assert "%" not in chinese % dict.fromkeys(FIELD.findall(english), "x")


def test_the_console_says_special_control_classes_and_steps_in_its_words() -> None:
    channel = Alert(
        text="special_outside_channel",
        text_fields={"approval": "国药准字H20240001", "control": "narcotic"},
        message="m",
    )
    recalled = Alert(
        text="recalled_batch_movement",
        text_fields={"lot": "L1", "approval": "国药准字H20240001", "step": "shipping"},
        message="m",
    )
    with translation.override("zh-hans"):
        assert _said(channel) == "国药准字H20240001（麻醉药品）由零售药店销售，超出许可的经营渠道。"
        assert _said(recalled) == "国药准字H20240001 的批次 L1 已召回，仍有流通（发货出库）。"
    with translation.override("en"):
        assert (
            _said(channel)
            == "国药准字H20240001 (Narcotic) dispensed by a retail pharmacy, outside the licensed channel."
        )
        assert _said(recalled) == "Batch L1 of 国药准字H20240001 is recalled but moved (Shipping (outbound))."
