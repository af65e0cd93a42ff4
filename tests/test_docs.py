"""The documentation stands on its own: docs/rules.md states the rules the code decides with
(its tables are rendered here from the same data and must appear in it word for word), every
reference to a section of docs/ resolves, and nothing cites a file outside the repository."""

import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from orders import lifecycle, rules
from orders.pricing import engine, policy
from orders.services import TRANSITIONS

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "docs" / "rules.md"
TITLES = {
    lifecycle.OPPORTUNITY: "Opportunity",
    lifecycle.QUOTE: "Quote",
    lifecycle.SALES_ORDER: "Sales order",
    lifecycle.INVOICE: "Invoice",
}


def skip_table() -> str:
    operations = [op.value for op in policy.Operation]
    lines = [
        "| table | " + " | ".join(operations) + " |",
        "|---" * (len(operations) + 1) + "|",
    ]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in policy.rows()]
    return "\n".join(lines)


def _editable(kind: str, state: str) -> str:
    document = SimpleNamespace(KIND=kind, state=state)
    if rules.can_edit(SimpleNamespace(is_integration_user=False), document):
        return "yes"
    if rules.can_edit(SimpleNamespace(is_integration_user=True), document):
        return "integration users only"
    return "no"


def states_table() -> str:
    lines = [
        "| document | state (`state_code`) | status reasons (`status_code`) | editable |",
        "|---|---|---|---|",
    ]
    for kind, states in lifecycle.LIFECYCLE.items():
        for number, (state, (state_code, reasons)) in enumerate(states.items()):
            reasons_text = ", ".join(f"{reason} ({code})" for reason, code in reasons.items())
            title = TITLES[kind] if number == 0 else ""
            lines.append(
                f"| {title} | {state} ({state_code}) | {reasons_text} | {_editable(kind, state)} |"
            )
    return "\n".join(lines)


def transitions_table() -> str:
    lines = ["| document | action | from | also needs |", "|---|---|---|---|"]
    ordered = sorted(TRANSITIONS.values(), key=lambda t: lifecycle.KINDS.index(t.kind))
    previous = None
    for transition in ordered:
        kind = transition.kind
        needs = []
        if transition.switch is True:
            needs.append("the switch on")
        if transition.switch is False:
            needs.append("the switch off")
        if transition.needs_lines:
            needs.append("a line")
        if transition.needs_opportunity:
            needs.append("an opportunity")
        if transition.integration_only:
            needs.append("an integration user")
        if transition.not_integration:
            needs.append("not an integration user")
        if transition.no_active_invoice:
            needs.append("no invoice that is not canceled")
        if transition.open_change_request is True:
            needs.append("an open change request")
        if transition.open_change_request is False:
            needs.append("no open change request")
        if transition.needs_text:
            needs.append(f"a {transition.text_field} in words")
        if transition.reasons:
            needs.append("a status reason: " + ", ".join(transition.reasons))
        if transition.needs_editable:
            needs.append("the document editable for the actor")
        if transition.price_lock is True:
            needs.append("prices locked")
        if transition.price_lock is False:
            needs.append("prices unlocked")
        title = TITLES[kind] if kind != previous else ""
        previous = kind
        states = ", ".join(sorted(transition.from_states))
        lines.append(f"| {title} | {transition.label} | {states} | {'; '.join(needs) or '—'} |")
    return "\n".join(lines)


def worked_example() -> str:
    """Two lines and a header, computed by the engine the services use."""
    money = 2
    volume = engine.volume_discount_per_unit(
        discount_type="percentage",
        bands=[engine.Band(Decimal(10), Decimal(99), Decimal(5))],
        quantity=Decimal(12),
        price_per_unit=Decimal("35.99"),
        places=money,
    )
    inputs = [
        ("Toner (catalog, 5 % band for 10–99)", Decimal("35.99"), volume, Decimal(12), 10, 20),
        ("Installation (write-in)", Decimal("80.00"), Decimal("0.00"), Decimal("1.5"), 0, 0),
    ]
    lines = [
        "| line | price per unit | volume discount | quantity | base amount "
        "| manual discount | tax | extended amount |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    sums = {"base_amount": Decimal(0), "extended_amount": Decimal(0), "tax": Decimal(0)}
    for name, price, discount, quantity, manual, tax in inputs:
        manual, tax = (
            Decimal(manual).quantize(Decimal("0.01")),
            Decimal(tax).quantize(Decimal("0.01")),
        )
        amounts = engine.line_amounts(
            price_per_unit=price,
            volume_discount_amount=discount,
            quantity=quantity,
            manual_discount_amount=manual,
            tax=tax,
            method="line_item",
            places=money,
        )
        sums["base_amount"] += amounts.base_amount
        sums["extended_amount"] += amounts.extended_amount
        sums["tax"] += tax
        lines.append(
            f"| {name} | {price} | {discount} | {quantity} | {amounts.base_amount} "
            f"| {manual} | {tax} | {amounts.extended_amount} |"
        )
    totals = engine.header_totals(
        engine.LineSums(**sums),
        discount_percentage=Decimal(5),
        discount_amount=Decimal(0),
        freight_amount=Decimal("15.00"),
        places=money,
    )
    header_discount = totals.total_discount_amount - totals.total_line_item_discount_amount
    lines += [
        "",
        "| header (discount 5 %, discount amount 0.00, freight 15.00) | formula | amount |",
        "|---|---|--:|",
        "| `total_line_item_amount` | Σ (`extended_amount` − `tax`) "
        f"| {totals.total_line_item_amount} |",
        "| `total_line_item_discount_amount` | Σ line discounts "
        f"| {totals.total_line_item_discount_amount} |",
        "| header discount | `discount_amount` + 5 % × `total_line_item_amount` "
        f"| {header_discount} |",
        "| `total_discount_amount` | header discount + `total_line_item_discount_amount` "
        f"| {totals.total_discount_amount} |",
        "| `total_amount_less_freight` | `total_line_item_amount` − header discount "
        f"| {totals.total_amount_less_freight} |",
        f"| `total_tax` | Σ `tax` | {totals.total_tax} |",
        "| `total_amount` | `total_amount_less_freight` + `freight_amount` + `total_tax` "
        f"| {totals.total_amount} |",
    ]
    return "\n".join(lines)


def slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's) gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(m) for m in re.findall(r"^#+ (.+)$", path.read_text(), flags=re.MULTILINE)}


def project_files():
    for pattern in ("*.py", "*.md", "*.html", "*.toml", "*.txt", "Makefile", "*.json"):
        for path in ROOT.rglob(pattern):
            parts = path.relative_to(ROOT).parts
            if parts[0].startswith(".") or "var" in parts[:1] or "node_modules" in parts:
                continue
            yield path


# --- the checks -----------------------------------------------------------------------------


def test_rules_states_the_skip_table_the_code_decides_with():
    assert skip_table() in RULES.read_text(), "docs/rules.md#skip-table:\n\n" + skip_table()


def test_rules_states_the_lifecycle_and_its_codes():
    assert states_table() in RULES.read_text(), "docs/rules.md#states:\n\n" + states_table()


def test_rules_states_the_transitions_and_their_guards():
    table = transitions_table()
    assert table in RULES.read_text(), "docs/rules.md#transitions:\n\n" + table


def test_rules_worked_example_is_what_the_engine_computes():
    example = worked_example()
    assert example in RULES.read_text(), "docs/rules.md#worked-example:\n\n" + example


def test_every_reference_to_a_section_of_docs_resolves():
    pattern = re.compile(r"(docs/[\w./-]+\.md)#([\w-]+)")
    links = re.compile(r"\]\(([\w./-]+\.md)#([\w-]+)\)")
    broken = []
    for path in project_files():
        text = path.read_text(errors="ignore")
        found = [(ROOT / doc, anchor) for doc, anchor in pattern.findall(text)]
        found += [(path.parent / doc, anchor) for doc, anchor in links.findall(text)]
        for doc, anchor in found:
            if not doc.exists() or anchor not in anchors(doc):
                broken.append(f"{path.relative_to(ROOT)}: {doc.name}#{anchor}")
    assert broken == []


def test_every_relative_link_in_the_docs_points_into_the_repository():
    broken = []
    for path in [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", path.read_text()):
            resolved = (path.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert broken == []


def test_nothing_cites_a_document_outside_the_repository():
    outside = re.compile(r"SPEC\s*§|SPEC\.md|\bthe SPEC\b|\.\./shared|/work/")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in project_files()
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1)
        if outside.search(line)
    ]
    assert found == []
