"""The words of every alert, once: English with named fields, marked for translation. An alert keeps
the name of its text and the values of its fields, so the console says it in the reader's language;
its English message is kept too, for the API and the audit trail (decision 0106, point 9)."""

from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Mark `message` for translation (the name is xgettext's keyword, as in Django). Django's own
    needs settings to be configured, and the state machine that imports these texts needs none."""
    return message


TEXTS = {
    "commissioned_twice": gettext_noop("%(pack)s was already commissioned by %(enterprise)s."),
    "dispensed_twice": gettext_noop(
        "%(pack)s was already dispensed; a second dispensing means a cloned or resold pack."
    ),
    "received_not_in_transit": gettext_noop(
        "%(pack)s was received by %(receiver)s while no shipment of it was in transit."
    ),
    "received_by_another_party": gettext_noop(
        "%(pack)s was received by %(receiver)s, but its shipment was addressed to %(addressees)s."
    ),
    "code_not_commissioned": gettext_noop("%(pack)s was reported in %(step)s but was never commissioned."),
    "recalled_batch_movement": gettext_noop("Batch %(lot)s of %(approval)s is recalled but moved (%(step)s)."),
    "expired_batch_movement": gettext_noop("Batch %(lot)s expired on %(expiry)s but moved (%(step)s)."),
    "shipped_to_unlicensed": gettext_noop(
        "%(approval)s shipped to %(destination)s, which holds no drug distribution licence in force."
    ),
    "special_outside_channel": gettext_noop(
        "%(approval)s (%(control)s) dispensed by a retail pharmacy, outside the licensed channel."
    ),
    "special_quantity_mismatch": gettext_noop(
        "Shipment %(shipment)s: %(count)s special-control packs shipped but not received."
    ),
}


@dataclass(frozen=True, slots=True)
class Text:
    """What an alert says: the name of its text in TEXTS and the value of each of its fields."""

    name: str
    fields: tuple[tuple[str, str], ...]

    def english(self) -> str:
        return TEXTS[self.name] % dict(self.fields)


def said(name: str, **fields: object) -> Text:
    """The text `name` with its fields (every value as a string)."""
    return Text(name, tuple((field, str(value)) for field, value in fields.items()))
