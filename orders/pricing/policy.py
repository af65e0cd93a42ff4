"""The skip table (docs/rules.md#skip-table) as one piece of data, and the one function that
reads it.

SOP = the switch is on; IU = the acting user is an integration user; SUB = the sales order (for
a line: its order) is submitted. A rule names the condition under which calculation is
*skipped*; "compute" rules never skip, and a missing cell means the operation does not exist.
The asymmetries (order recalculate looks only at SUB, order-line delete only at IU, invoices
never at state) are deliberate: they are the original's.
"""

from dataclasses import dataclass
from enum import StrEnum


class Table(StrEnum):
    OPPORTUNITY = "opportunity"
    QUOTE = "quote"
    SALES_ORDER = "salesorder"
    INVOICE = "invoice"
    OPPORTUNITY_PRODUCT = "opportunityline"
    QUOTE_PRODUCT = "quoteline"
    SALES_ORDER_PRODUCT = "salesorderline"
    INVOICE_PRODUCT = "invoiceline"


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RECALCULATE = "recalculate"


@dataclass(frozen=True)
class Facts:
    sop: bool  # the integration switch is on
    iu: bool  # the acting user is an integration user
    sub: bool  # the (line's) sales order is submitted


@dataclass(frozen=True)
class Rule:
    """Skip when the switch is on and any of the named facts holds; never when ``skip_when`` is
    empty (always compute)."""

    skip_when: tuple[str, ...] = ()

    def skips(self, facts: Facts) -> bool:
        return bool(self.skip_when) and facts.sop and any(getattr(facts, f) for f in self.skip_when)

    @property
    def text(self) -> str:
        if not self.skip_when:
            return "compute"
        names = " ∨ ".join(f.upper() for f in self.skip_when)
        return f"skip if SOP ∧ {names}" if len(self.skip_when) == 1 else f"skip if SOP ∧ ({names})"


COMPUTE = Rule()
IU = Rule(("iu",))
SUB = Rule(("sub",))
IU_OR_SUB = Rule(("iu", "sub"))
SUB_OR_IU = Rule(("sub", "iu"))

TABLE_LABELS = {
    Table.OPPORTUNITY: "Opportunity",
    Table.QUOTE: "Quote",
    Table.SALES_ORDER: "Sales order",
    Table.INVOICE: "Invoice",
    Table.OPPORTUNITY_PRODUCT: "Opportunity product",
    Table.QUOTE_PRODUCT: "Quote product",
    Table.SALES_ORDER_PRODUCT: "Sales order product",
    Table.INVOICE_PRODUCT: "Invoice product",
}

SKIP_RULES: dict[Table, dict[Operation, Rule]] = {
    Table.OPPORTUNITY: {
        Operation.CREATE: COMPUTE,
        Operation.UPDATE: COMPUTE,
        Operation.RECALCULATE: COMPUTE,
    },
    Table.QUOTE: {
        Operation.CREATE: COMPUTE,
        Operation.UPDATE: COMPUTE,
        Operation.RECALCULATE: COMPUTE,
    },
    Table.SALES_ORDER: {
        Operation.CREATE: IU,
        Operation.UPDATE: SUB_OR_IU,
        Operation.RECALCULATE: SUB,
    },
    Table.INVOICE: {
        Operation.CREATE: IU,
        Operation.UPDATE: IU,
        Operation.RECALCULATE: IU,
    },
    Table.OPPORTUNITY_PRODUCT: {
        Operation.CREATE: COMPUTE,
        Operation.UPDATE: COMPUTE,
        Operation.DELETE: COMPUTE,
    },
    Table.QUOTE_PRODUCT: {
        Operation.CREATE: COMPUTE,
        Operation.UPDATE: COMPUTE,
        Operation.DELETE: COMPUTE,
    },
    Table.SALES_ORDER_PRODUCT: {
        Operation.CREATE: IU_OR_SUB,
        Operation.UPDATE: IU_OR_SUB,
        Operation.DELETE: IU,
    },
    Table.INVOICE_PRODUCT: {
        Operation.CREATE: IU,
        Operation.UPDATE: IU,
        Operation.DELETE: IU,
    },
}


@dataclass(frozen=True)
class Decision:
    compute: bool
    rule: str
    reason: str
    plain: str = ""  # why it was skipped, for a message (no notation)

    @property
    def skip(self) -> bool:
        return not self.compute

    def as_provenance(self) -> dict:
        return {
            "decision": "computed" if self.compute else "skipped",
            "rule": self.rule,
            "reason": self.reason,
        }


def decide(table: Table | str, operation: Operation | str, facts: Facts) -> Decision:
    """Compute or skip, and why, for one operation on one table given the three facts."""
    table, operation = Table(table), Operation(operation)
    try:
        rule = SKIP_RULES[table][operation]
    except KeyError:
        raise ValueError(f"{TABLE_LABELS[table]} has no {operation} operation") from None
    label = f"{TABLE_LABELS[table]} {operation}"
    if rule.skips(facts):
        held = [name.upper() for name in rule.skip_when if getattr(facts, name)]
        why = {
            "IU": "the acting user is an integration user",
            "SUB": "the order is submitted to the back office",
        }
        reason = (
            f"Calculation skipped ({label}: {rule.text}): the integration is on and "
            + " and ".join(why[h] for h in held)
            + "; the values were kept as given."
        )
        plain = (
            "the integration is on and "
            + " and ".join(why[h] for h in held)
            + ", so the amounts were kept as they are."
        )
        return Decision(compute=False, rule=rule.text, reason=reason, plain=plain)
    if rule.skip_when:
        reason = f"Calculated by the system ({label}: {rule.text}; the condition does not hold)."
    else:
        reason = f"Calculated by the system ({label}: always computed)."
    return Decision(compute=True, rule=rule.text, reason=reason)


def rows() -> list[tuple[str, list[str]]]:
    """The table for display: each table's label and its cell per operation ("—" if none)."""
    return [
        (TABLE_LABELS[table], [ops[op].text if op in ops else "—" for op in Operation])
        for table, ops in SKIP_RULES.items()
    ]
