"""`make bench` prints one table: every benchmark adds its figures with ``bench_table.add``.

A figure is measured against a floor (the least the work can cost) or a baseline (the same
page with less data), in the same run; the ratio is what the target bounds.
"""

from dataclasses import dataclass

import pytest


@dataclass
class Figure:
    what: str
    measured: str
    against: str
    ratio: float | None
    target: str
    ok: bool | None


class Table:
    def __init__(self):
        self.figures: list[Figure] = []

    def add(self, what, measured, against, ratio=None, target="", ok=None):
        self.figures.append(Figure(what, measured, against, ratio, target, ok))

    def render(self) -> str:
        head = ("what", "measured", "floor / baseline", "ratio", "target", "")
        rows = [
            (
                f.what,
                f.measured,
                f.against,
                "" if f.ratio is None else f"{f.ratio:.2f}×",
                f.target,
                "" if f.ok is None else ("ok" if f.ok else "MISSED"),
            )
            for f in self.figures
        ]
        widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]

        def line(row):
            return (
                "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)) + " |"
            )

        rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([line(head), rule, *(line(row) for row in rows)])


TABLE = Table()


@pytest.fixture(scope="session")
def bench_table() -> Table:
    return TABLE


def pytest_terminal_summary(terminalreporter):
    if TABLE.figures:
        terminalreporter.write_sep("=", "benchmarks")
        terminalreporter.write_line(TABLE.render())
