"""`medreg demo_trace load` on top of `medreg demo load`: a supply chain with the planted
anomalies the console's alert queue shows, each raised by the capture path a real upload takes."""

import io

import pytest
from django.core.management import call_command

from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry.models import Drug
from medreg.trace import selectors
from medreg.trace.models import Alert, Pack, Recall


@pytest.mark.django_db
def test_demo_trace_plants_one_alert_of_each_kind_and_a_recall() -> None:
    # given the registry's demo data as `make demo` loads it (at a smaller scale no pack is dispensed
    # before the planted second dispensing)
    call_command("demo", "load", stdout=io.StringIO())
    # when the traceability demo is loaded
    out = io.StringIO()
    call_command("demo_trace", "load", stdout=out)
    # then its packs are stored and the three planted anomalies are in the alert queue
    assert out.getvalue().strip() == "traceability demo: {'packs': 756, 'jobs': 30}"
    assert Pack.objects.count() == 756
    rules = sorted(Alert.objects.values_list("rule", flat=True))
    assert rules == ["dispensed_twice", "recalled_batch_movement", "received_without_shipment"]
    # and the recalled batch's alert names the recalled batch, moved after the recall began
    recall = Recall.objects.get()
    moved = Alert.objects.get(rule="recalled_batch_movement")
    assert (moved.approval_number, moved.lot) == (recall.approval_number, recall.lot)
    assert moved.evidence.get().event_time >= recall.initiated_at
    # and the recalled batch's distribution tree has its edges: the manufacturer supplied three
    # wholesalers, which supplied every pharmacy and hospital holding the batch
    tree = {node.enterprise_code: node for node in selectors.track(SYSTEM_SCOPE, recall.approval_number, recall.lot)}
    maker = Drug.objects.get(approval_number=recall.approval_number).marketing_authorization_holder.uscc
    wholesalers = {code for code, node in tree.items() if node.received_from == {maker}}
    assert (tree[maker].packs, tree[maker].received_from) == (0, set())
    assert len(wholesalers) == 3
    assert all(
        node.received_from and node.received_from <= wholesalers
        for code, node in tree.items()
        if code not in wholesalers | {maker}
    )
    assert (
        sum(node.packs for node in tree.values())
        == Pack.objects.filter(approval_number=recall.approval_number, lot=recall.lot, package_level=1).count()
    )
