"""States and status reasons (docs/rules.md#states), with Dynamics' numeric codes, as data.

``LIFECYCLE[kind][state] = (state_code, {status_reason: status_code, ...})``; the first status
reason of a state is its default.
"""

OPPORTUNITY = "opportunity"
QUOTE = "quote"
SALES_ORDER = "salesorder"
INVOICE = "invoice"
KINDS = [OPPORTUNITY, QUOTE, SALES_ORDER, INVOICE]

LIFECYCLE: dict[str, dict[str, tuple[int, dict[str, int]]]] = {
    OPPORTUNITY: {
        "open": (0, {"in_progress": 1, "on_hold": 2}),
        "won": (1, {"won": 3}),
        "lost": (2, {"canceled": 4, "out_sold": 5}),
    },
    QUOTE: {
        "draft": (0, {"in_progress": 1}),
        "active": (1, {"in_progress": 2, "open": 3}),
        "won": (2, {"won": 4}),
        "closed": (3, {"lost": 5, "canceled": 6, "revised": 7}),
    },
    SALES_ORDER: {
        "active": (0, {"new": 1, "pending": 2}),
        "submitted": (1, {"in_progress": 3}),
        "canceled": (2, {"no_money": 4}),
        "fulfilled": (3, {"complete": 100001, "partial": 100002}),
        "invoiced": (4, {"invoiced": 100003}),
    },
    INVOICE: {
        "active": (0, {"new": 1, "partially_shipped": 2, "billed": 4, "booked": 5, "installed": 6}),
        "paid": (2, {"complete": 100001, "partial": 100002}),
        "canceled": (3, {"canceled": 100003}),
    },
}

# The states in which a document may be changed (docs/rules.md#read-only-rule). A submitted order is
# also editable by integration users: that exception lives in orders.rules.
EDITABLE_STATES = {
    OPPORTUNITY: {"open"},
    QUOTE: {"draft"},
    SALES_ORDER: {"active"},
    INVOICE: {"active"},
}


def state_choices(kind: str) -> list[tuple[str, str]]:
    return [(state, state.replace("_", " ").capitalize()) for state in LIFECYCLE[kind]]


def status_reason_choices(kind: str) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for _, reasons in LIFECYCLE[kind].values():
        for reason in reasons:
            seen.setdefault(reason, reason.replace("_", " ").capitalize())
    return list(seen.items())


def default_status_reason(kind: str, state: str) -> str:
    return next(iter(LIFECYCLE[kind][state][1]))


def state_code(kind: str, state: str) -> int:
    return LIFECYCLE[kind][state][0]


def status_code(kind: str, state: str, status_reason: str) -> int | None:
    return LIFECYCLE[kind][state][1].get(status_reason)


def is_valid_status(kind: str, state: str, status_reason: str) -> bool:
    return state in LIFECYCLE[kind] and status_reason in LIFECYCLE[kind][state][1]
