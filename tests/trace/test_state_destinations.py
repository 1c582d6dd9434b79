"""How a pack in transit keeps its shipment's receiving parties (decision 0106, point 4): every
registered party of the destination list, joined, or nothing when they do not fit the column."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from medreg.trace.models import Pack
from medreg.trace.state import DESTINATION_LENGTH, PackBook, PackState, Step, apply_events, destination_of

USCC = st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=18, max_size=18)
NOON = dt.datetime(2026, 3, 2, 4, tzinfo=dt.UTC)


def test_the_parties_are_joined_in_order() -> None:
    assert destination_of(("91330203MA2GQ1XK5A", "91330106MA27Y4RU1B")) == "91330203MA2GQ1XK5A,91330106MA27Y4RU1B"
    assert destination_of(()) == ""


def test_more_parties_than_the_column_holds_are_not_kept() -> None:
    ten = tuple(f"9133020{n:02d}A2GQ1XK5A" for n in range(10))  # 10 x 18 + 9 separators = 189
    assert destination_of(ten) == ",".join(ten)
    assert destination_of((*ten, "91330203MA2GQ1XK5B")) == ""
    assert Pack._meta.get_field("destination_enterprise_code").max_length == DESTINATION_LENGTH == 200


@given(st.lists(USCC, max_size=14, unique=True))
def test_the_stored_parties_are_the_shipment_s_or_none(parties: list[str]) -> None:
    stored = destination_of(tuple(parties))
    fits = 19 * len(parties) - 1 <= DESTINATION_LENGTH
    assert stored == (",".join(parties) if fits else "")
    assert stored.split(",") == (parties if fits and parties else [""])


def receipt_by(receiver: str, destination: str) -> list[tuple[str, str]]:
    """The findings of `receiver` receiving one pack in transit to `destination` (a stored value)."""
    pack = PackState("p1", "in_transit", "M", "M", "", "/000000/", NOON, NOON, destination=destination, last_event="s1")
    step = Step(
        "r1", 0, "ObjectEvent", "OBSERVE", "receiving", "in_progress", NOON, receiver, "/000000/", "", "", ("p1",)
    )
    return [(f.rule, f.message) for f in apply_events(PackBook([pack]), [step], {}).findings]


def test_a_receipt_is_checked_against_every_stored_party() -> None:
    assert receipt_by("A", "A,B") == []
    assert receipt_by("B", "A,B") == []
    assert receipt_by("C", "A,B") == [
        ("received_without_shipment", "p1 was received by C, but its shipment was addressed to A, B.")
    ]
    assert receipt_by("C", "") == []  # nobody registered, or more parties than were kept: not checked
