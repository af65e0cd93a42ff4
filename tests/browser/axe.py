"""axe-core in the browser tests: the serious and critical violations of a page, in words."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def serious(page) -> list[str]:
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
