"""One test per cell of the skip table (docs/rules.md#skip-table), through the services (and
so the signals).

The table below is written out again, independently of orders.pricing.policy, from docs/rules.md:
a cell names the facts of which any one, with the switch on, skips calculation.
"""

from decimal import Decimal

import pytest

from orders.pricing.policy import Facts, decide
from orders.services import (
    document_create,
    document_recalculate,
    document_update,
    line_add,
    line_delete,
    line_update,
    salesorder_submit,
)
from settings_app.errors import ReadOnly
from tests.conftest import set_switch
from tests.orders.factories import PriceListItemFactory

RULES_TABLE = {
    "opportunity": {"create": "", "update": "", "recalculate": ""},
    "quote": {"create": "", "update": "", "recalculate": ""},
    "salesorder": {"create": "IU", "update": "SUB IU", "recalculate": "SUB"},
    "invoice": {"create": "IU", "update": "IU", "recalculate": "IU"},
    "opportunityline": {"create": "", "update": "", "delete": ""},
    "quoteline": {"create": "", "update": "", "delete": ""},
    "salesorderline": {"create": "IU SUB", "update": "IU SUB", "delete": "IU"},
    "invoiceline": {"create": "IU", "update": "IU", "delete": "IU"},
}
HEADER_OF = {
    "opportunityline": "opportunity",
    "quoteline": "quote",
    "salesorderline": "salesorder",
    "invoiceline": "invoice",
}
# SUB is a fact of a sales order; for invoices it is the invoice's order (which must not matter).
HAS_SUB = {"salesorder", "salesorderline", "invoice", "invoiceline"}


def expected_skip(table: str, operation: str, *, sop: bool, iu: bool, sub: bool) -> bool:
    facts = {"IU": iu, "SUB": sub}
    return sop and any(facts[name] for name in RULES_TABLE[table][operation].split())


def cells():
    for table, operations in RULES_TABLE.items():
        for operation in operations:
            for sop in (False, True):
                for iu in (False, True):
                    for sub in (False, True) if table in HAS_SUB else (False,):
                        if sub and table == "salesorder" and operation == "create":
                            continue  # a new order is never submitted
                        yield pytest.param(
                            table,
                            operation,
                            sop,
                            iu,
                            sub,
                            id=f"{table}-{operation}-sop{int(sop)}-iu{int(iu)}-sub{int(sub)}",
                        )


PRICE = Decimal("100.00")
GIVEN_PRICE = Decimal("55.00")
GIVEN_AMOUNT = Decimal("777.00")
GIVEN_TOTAL = Decimal("999.00")


@pytest.fixture
def item(db):
    return PriceListItemFactory(amount=PRICE)


def make_document(kind, *, owner, item, sub, customizer, salesperson):
    """A document of ``kind`` with one line of quantity 2, editable, or a submitted order."""
    if kind == "invoice":
        order = make_document(
            "salesorder",
            owner=owner,
            item=item,
            sub=sub,
            customizer=customizer,
            salesperson=salesperson,
        )
        document = document_create(
            actor=owner, kind="invoice", name="Invoice", price_list=item.price_list
        )
        # Linked behind the rules' back: the link is what matters here (the invoice's order is
        # submitted), not how a salesperson could have made it.
        type(document).objects.filter(pk=document.pk).update(sales_order=order)
        document.refresh_from_db()
    else:
        document = document_create(actor=owner, kind=kind, name="Doc", price_list=item.price_list)
    line_add(actor=owner, document=document, product=item.product, quantity=Decimal("2"))
    if kind == "salesorder" and sub:
        set_switch(customizer, True)
        salesorder_submit(actor=owner, document=document)
    document.refresh_from_db()
    return document


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "operation", "sop", "iu", "sub"), list(cells()))
def test_skip_table_cell(
    table, operation, sop, iu, sub, item, salesperson, integration_user, customizer
):
    actor = integration_user if iu else salesperson
    header_kind = HEADER_OF.get(table, table)
    skip = expected_skip(table, operation, sop=sop, iu=iu, sub=sub)

    # The policy module agrees with docs/rules.md's table for this cell.
    assert decide(table, operation, Facts(sop=sop, iu=iu, sub=sub)).skip is skip

    document = None
    if not (table == header_kind and operation == "create"):
        document = make_document(
            header_kind,
            owner=salesperson,
            item=item,
            sub=sub,
            customizer=customizer,
            salesperson=salesperson,
        )
    set_switch(customizer, sop)
    if document is not None:
        document.refresh_from_db()

    submitted_order = header_kind == "salesorder" and sub
    if submitted_order and not iu and operation != "recalculate":
        # The read-only rule comes before the skip table: nothing may change.
        before = (document.version, document.total_amount)
        with pytest.raises(ReadOnly):
            _perform(table, operation, actor, document, item, skip=skip)
        document.refresh_from_db()
        assert (document.version, document.total_amount) == before
        return
    if submitted_order and not iu and operation == "recalculate":
        with pytest.raises(ReadOnly):
            document_recalculate(actor=actor, document=document)
        return

    result = _perform(table, operation, actor, document, item, skip=skip)
    _assert_outcome(table, operation, result, document, skip=skip)


def _perform(table, operation, actor, document, item, *, skip):
    is_line = table in HEADER_OF
    if not is_line:
        kind = table
        if operation == "create":
            extra = {"total_amount": GIVEN_TOTAL} if skip else {}
            return document_create(
                actor=actor,
                kind=kind,
                name="New",
                price_list=item.price_list,
                freight_amount=Decimal("10.00"),
                **extra,
            )
        if operation == "update":
            extra = {"total_amount": GIVEN_TOTAL} if skip else {}
            return document_update(
                actor=actor, document=document, freight_amount=Decimal("10.00"), **extra
            )
        # recalculate: make the stored line stale behind the signals' back, then recalculate.
        line = document.lines.get()
        type(line).objects.filter(pk=line.pk).update(base_amount=1, extended_amount=1)
        return document_recalculate(actor=actor, document=document)
    if operation == "create":
        extra = (
            {
                "price_per_unit": GIVEN_PRICE,
                "base_amount": GIVEN_AMOUNT,
                "extended_amount": GIVEN_AMOUNT,
            }
            if skip
            else {}
        )
        return line_add(
            actor=actor, document=document, product=item.product, quantity=Decimal("3"), **extra
        )
    line = document.lines.get()
    if operation == "update":
        extra = (
            {
                "price_per_unit": GIVEN_PRICE,
                "base_amount": GIVEN_AMOUNT,
                "extended_amount": GIVEN_AMOUNT,
            }
            if skip
            else {}
        )
        return line_update(actor=actor, line=line, quantity=Decimal("3"), **extra)
    line_delete(actor=actor, line=line)
    return None


def _assert_outcome(table, operation, result, document, *, skip):
    is_line = table in HEADER_OF
    if not is_line:
        header = result
        header.refresh_from_db()
        if operation == "recalculate":
            line = header.lines.get()
            if skip:
                assert line.base_amount == 1  # left as it was
                assert header.total_amount == PRICE * 2
            else:
                assert line.base_amount == PRICE * 2
                assert header.total_amount == PRICE * 2
            return
        expected_lines_total = Decimal("0") if operation == "create" else PRICE * 2
        if skip:
            assert header.total_amount == GIVEN_TOTAL
            assert header.pricing["decision"] == "skipped"
        else:
            assert header.total_amount == expected_lines_total + Decimal("10.00")
            assert header.pricing["decision"] == "computed"
        return

    before_total = document.total_amount
    document.refresh_from_db()
    if operation == "delete":
        if skip:
            assert document.total_amount == before_total  # not rolled up
        else:
            assert document.total_amount == Decimal("0")
        return
    line = result
    line.refresh_from_db()
    if skip:
        assert line.price_per_unit == GIVEN_PRICE
        assert line.base_amount == GIVEN_AMOUNT
        assert line.pricing["decision"] == "skipped"
        assert document.total_amount == before_total  # the header is left as it was
    else:
        assert line.price_per_unit == PRICE
        assert line.base_amount == PRICE * 3
        assert line.pricing["decision"] == "computed"
        lines_total = sum(x.extended_amount for x in document.lines.all())
        assert document.total_amount == lines_total
