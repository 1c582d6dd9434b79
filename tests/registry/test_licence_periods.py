"""When a licence was in force (registry.selectors.licence_periods): its validity in days of the
platform's calendar, less the time its status history shows it suspended or revoked. The trace
licence rule judges each shipment by it (decision 0106, point 2)."""

import datetime as dt
import itertools
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from medreg.core.actor import Actor
from medreg.core.models import Role
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry.models import Licence, LicenceStatus
from medreg.registry.selectors import InForce, _in_force, licence_periods
from medreg.registry.services.licences import expire_licences, save_licences
from tests import factories

CHINA = ZoneInfo("Asia/Shanghai")
ISSUED = dt.datetime(2022, 1, 1, tzinfo=CHINA)
ENDS = dt.datetime(2030, 1, 2, tzinfo=CHINA)  # valid until 2030-01-01, to its end


def at(month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CHINA)


def licensed_distributor() -> tuple[str, Licence]:
    """A distributor of 宁波市海曙区 with a wholesale licence issued 2022-01-01, valid until 2030-01-01,
    saved with its "issued" step as the registry saves licences."""
    enterprise = factories.make_enterprise("宁波示范医药有限公司", "330203", ("drug_wholesaler",))
    licence = Licence(
        enterprise=enterprise,
        kind="drug_wholesale",
        number="浙AA5740001",
        scope="化学药制剂",
        issued_by=enterprise.jurisdiction,
        issued_on=dt.date(2022, 1, 1),
        valid_until=dt.date(2030, 1, 1),
    )
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2022, 3, 1, tzinfo=CHINA)):
        save_licences(actor=Actor.system(), licences=[licence])
    return enterprise.uscc, Licence.objects.get(number="浙AA5740001")


def change_status(client: Client, licence: Licence, status: str, when: dt.datetime) -> None:
    """A regulator of 宁波 changes the licence's status over the API at `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        client.force_login(factories.make_user(f"ningbo_{when:%m%d%H}", Role.CITY_REGULATOR, "330200"))
        version = Licence.objects.get(pk=licence.pk).version
        response = client.post(
            f"/api/registry/licences/{licence.pk}/status",
            {"version": version, "status": status, "reason": "飞行检查发现严重缺陷"},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_a_valid_licence_is_in_force_from_the_start_of_its_issue_day_to_the_end_of_its_last() -> None:
    uscc, _ = licensed_distributor()
    assert licence_periods(SYSTEM_SCOPE, {uscc, "91330203MA2GQ1XK5Z"}) == {
        uscc: [InForce("drug_wholesale", ISSUED, ENDS)],
        "91330203MA2GQ1XK5Z": [],
    }


@pytest.mark.django_db
def test_a_suspension_and_its_reinstatement_cut_the_licence_in_two() -> None:
    uscc, licence = licensed_distributor()
    client = Client()
    change_status(client, licence, "suspended", at(4, 1, 9))
    change_status(client, licence, "valid", at(5, 1, 9))
    assert licence_periods(SYSTEM_SCOPE, {uscc}) == {
        uscc: [InForce("drug_wholesale", ISSUED, at(4, 1, 9)), InForce("drug_wholesale", at(5, 1, 9), ENDS)]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_a_licence_still_suspended_or_revoked_was_in_force_until_that_step(status: str) -> None:
    uscc, licence = licensed_distributor()
    change_status(Client(), licence, status, at(4, 1, 9))
    assert licence_periods(SYSTEM_SCOPE, {uscc}) == {uscc: [InForce("drug_wholesale", ISSUED, at(4, 1, 9))]}


@pytest.mark.django_db
def test_a_suspended_licence_that_expired_stays_out_of_force_from_its_suspension() -> None:
    uscc, licence = licensed_distributor()
    Licence.objects.filter(pk=licence.pk).update(valid_until=dt.date(2026, 6, 30))
    change_status(Client(), licence, "suspended", at(4, 1, 9))
    with mock.patch("django.utils.timezone.now", return_value=at(7, 1, 2)):
        assert expire_licences(actor=Actor.system(), today=dt.date(2026, 7, 1)) == 1
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.EXPIRED
    assert licence_periods(SYSTEM_SCOPE, {uscc}) == {uscc: [InForce("drug_wholesale", ISSUED, at(4, 1, 9))]}


@pytest.mark.django_db
def test_a_licence_entered_as_revoked_without_its_step_counts_for_no_time() -> None:
    uscc, licence = licensed_distributor()
    Licence.objects.filter(pk=licence.pk).update(status=LicenceStatus.REVOKED)
    assert licence_periods(SYSTEM_SCOPE, {uscc}) == {uscc: []}


@pytest.mark.django_db
def test_a_licence_valid_to_the_last_representable_day_has_no_end() -> None:
    uscc, licence = licensed_distributor()
    Licence.objects.filter(pk=licence.pk).update(valid_until=dt.date.max)
    assert licence_periods(SYSTEM_SCOPE, {uscc}) == {uscc: [InForce("drug_wholesale", ISSUED, None)]}


@pytest.mark.django_db
def test_a_licence_a_regulator_marks_expired_before_its_date_ends_then() -> None:
    # given a licence surrendered: marked expired on 1 April, years before its validity ends
    uscc, licence = licensed_distributor()
    change_status(Client(), licence, "expired", at(4, 1, 9))
    assert licence_periods(SYSTEM_SCOPE, {uscc}) == {uscc: [InForce("drug_wholesale", ISSUED, at(4, 1, 9))]}


@pytest.mark.django_db
def test_a_licence_valid_now_whose_history_ends_in_a_suspension_counts_from_its_issue() -> None:
    # given a suspension recorded, and a reinstatement made outside the registry's services
    uscc, licence = licensed_distributor()
    change_status(Client(), licence, "suspended", at(4, 1, 9))
    Licence.objects.filter(pk=licence.pk).update(status=LicenceStatus.VALID)
    # then the current status has the last word: the suspension's end is unknown, so it is disregarded
    assert licence_periods(SYSTEM_SCOPE, {uscc}) == {
        uscc: [InForce("drug_wholesale", ISSUED, at(4, 1, 9)), InForce("drug_wholesale", at(4, 1, 9), ENDS)]
    }


# _in_force against a replay of the status history, moment by moment, whatever the current status

MOMENTS = st.datetimes(min_value=dt.datetime(2021, 1, 1), max_value=dt.datetime(2031, 1, 1), timezones=st.just(CHINA))
STATUSES = ["suspended", "revoked", "valid", "expired"]
STEPS = st.lists(st.tuples(st.sampled_from(STATUSES), MOMENTS), max_size=6)


def in_force_by_replay(moment: dt.datetime, history: list[tuple[str, dt.datetime]], status: str) -> bool:
    """In force at `moment`: within the validity (ended early by a step to expired), and the last
    suspension, revocation or reinstatement at or before it (if any) was a reinstatement — unless the
    current status says otherwise of what the history leaves open: suspended or revoked now with no
    such step since the last reinstatement, never in force; valid now after a suspension that no
    recorded step lifted, in force from it on."""
    ends = min([ENDS, *(when for step, when in history if step == "expired")])
    if not ISSUED <= moment < ends:
        return False
    moves = [(step, when) for step, when in history if step != "expired"]
    last_valid = max((i for i, (step, _) in enumerate(moves) if step == "valid"), default=-1)
    unlifted = moves[last_valid + 1 :]  # suspensions and revocations since the last reinstatement
    open_since = unlifted[0][1] if unlifted else None
    if open_since is None and status in ("suspended", "revoked"):
        return False
    if open_since is not None and status == "valid" and moment >= open_since:
        return True
    last = [step for step, when in moves if when <= moment]
    return not last or last[-1] == "valid"


@given(STEPS, st.sampled_from(STATUSES), st.lists(MOMENTS, min_size=1, max_size=8))
def test_the_stretches_are_the_moments_the_history_shows_in_force(
    steps: list[tuple[str, dt.datetime]], status: str, moments: list[dt.datetime]
) -> None:
    history = sorted(steps, key=lambda step: step[1])  # as stored: by time
    stretches = _in_force(ISSUED, ENDS, status, history)
    for moment in [*moments, *(when for _, when in history)]:
        inside = any(start <= moment and (end is None or moment < end) for start, end in stretches)
        assert inside == in_force_by_replay(moment, history, status)
    assert all(end is not None and start < end for start, end in stretches)
    assert all(one[1] is not None and one[1] <= other[0] for one, other in itertools.pairwise(stretches))
