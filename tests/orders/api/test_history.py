"""Every change leaves history: random write operations at the API door, and after each one
every header and line it changed has a new history row equal to the stored row, by the caller."""

import random

import pytest

from orders.api.views.documents import PATHS
from orders.models import DOCUMENT_MODELS, LINE_MODELS
from orders.services.transitions import TRANSITIONS
from tests.orders.history import HistoryWatch

pytestmark = pytest.mark.django_db

STEPS = 120


class Run:
    """The cast, the catalog and the documents made so far; each method is one API call."""

    def __init__(self, rng, api, cast, catalog):
        self.rng = rng
        self.api = api
        self.cast = cast
        self.catalog = catalog
        self.documents: list[tuple[str, int]] = []

    def sales_actor(self, owner_id=None):
        """Mostly the document's owner, sometimes someone who works everyone's documents."""
        cast = [self.cast["salesperson"], self.cast["manager"], self.cast["back"]]
        owners = [user for user in cast if user.pk == owner_id]
        return self.rng.choice(owners * 3 + cast)

    def document(self):
        if not self.documents:
            return None
        kind, pk = self.rng.choice(self.documents)
        owner_id = DOCUMENT_MODELS[kind].objects.filter(pk=pk).values_list("owner", flat=True)
        if not owner_id:
            self.documents.remove((kind, pk))
            return None
        self.owner_id = owner_id[0]
        return kind, pk

    def create_document(self):
        actor = self.sales_actor()
        # Orders and invoices weigh more: catalog changes re-price them.
        kind = self.rng.choice(["opportunity", "quote", *["salesorder", "invoice"] * 2])
        body = {
            "name": f"Deal {self.rng.randint(1, 999)}",
            "price_list": self.catalog["price_list"].pk,
            "currency": self.catalog["currency"].pk,
            "account": self.catalog["account"].pk,
        }
        response = self.api(actor).post(f"/api/v1/{PATHS[kind]}", body, format="json")
        if response.status_code == 201:
            self.documents.append((kind, response.json()["id"]))
        return actor, response

    def add_line(self):
        picked = self.document()
        if picked is None:
            return self.create_document()
        kind, pk = picked
        actor = self.sales_actor(self.owner_id)
        if self.rng.random() < 0.2:
            body = {"write_in_product": "Service", "price_per_unit": "12.50", "quantity": "1"}
        else:
            product = self.rng.choice(self.catalog["products"])
            body = {"product": product.pk, "quantity": str(self.rng.randint(1, 30))}
        response = self.api(actor).post(f"/api/v1/{PATHS[kind]}/{pk}/lines", body, format="json")
        return actor, response

    def _line(self):
        picked = self.document()
        if picked is None:
            return None
        kind, pk = picked
        lines = list(LINE_MODELS[kind].objects.filter(document_id=pk).order_by("pk"))
        return (kind, pk, self.rng.choice(lines)) if lines else None

    def change_line(self):
        picked = self._line()
        if picked is None:
            return self.add_line()
        kind, pk, line = picked
        actor = self.sales_actor(self.owner_id)
        body = self.rng.choice(
            [{"quantity": str(self.rng.randint(1, 40))}, {"manual_discount_amount": "1.00"}]
        )
        url = f"/api/v1/{PATHS[kind]}/{pk}/lines/{line.pk}"
        return actor, self.api(actor).patch(url, body, format="json")

    def delete_line(self):
        picked = self._line()
        if picked is None:
            return self.add_line()
        kind, pk, line = picked
        actor = self.sales_actor(self.owner_id)
        return actor, self.api(actor).delete(f"/api/v1/{PATHS[kind]}/{pk}/lines/{line.pk}")

    def change_header(self):
        picked = self.document()
        if picked is None:
            return self.create_document()
        kind, pk = picked
        actor = self.sales_actor(self.owner_id)
        body = self.rng.choice(
            [
                {"discount_percentage": str(self.rng.randint(0, 10))},
                {"freight_amount": str(self.rng.randint(0, 20))},
                {"name": f"Renamed {self.rng.randint(1, 99)}"},
            ]
        )
        return actor, self.api(actor).patch(f"/api/v1/{PATHS[kind]}/{pk}", body, format="json")

    def act(self):
        picked = self.document()
        if picked is None:
            return self.create_document()
        kind, pk = picked
        actor = self.sales_actor(self.owner_id)
        # Re-pricing actions weigh more: they are the bulk writes under test.
        names = [name for (k, name) in TRANSITIONS if k == kind]
        names += ["recalculate", "recalculate"] + (
            ["lock_pricing", "unlock_pricing"] * 2 if kind in {"salesorder", "invoice"} else []
        )
        name = self.rng.choice(names)
        transition = TRANSITIONS[(kind, name)]
        body = {}
        if transition.reasons:
            body = {"status_reason": self.rng.choice(transition.reasons)}
        if transition.needs_text:
            body = {transition.text_field: "Out of stock"}
        response = self.api(actor).post(f"/api/v1/{PATHS[kind]}/{pk}/{name}", body, format="json")
        if response.status_code == 201:
            created = response.json()
            kind = next(k for k, path in PATHS.items() if f"/{path}/" in response["Location"])
            self.documents.append((kind, created["id"]))
        return actor, response

    def change_price(self):
        actor = self.cast["customizer"]
        item = self.rng.choice(list(self.catalog["price_list"].items.order_by("pk")))
        url = f"/api/v1/pricelists/{item.price_list_id}/items/{item.pk}"
        body = {"amount": f"{self.rng.randint(5, 60)}.{self.rng.randint(0, 99):02d}"}
        return actor, self.api(actor).patch(url, body, format="json")

    def move_switch(self):
        actor = self.cast["customizer"]
        body = {"is_sop_integration_enabled": self.rng.random() < 0.5}
        return actor, self.api(actor).patch("/api/v1/organization", body, format="json")

    def delete_document(self):
        actor, picked = self.cast["manager"], self.document()
        if picked is None:
            return self.create_document()
        kind, pk = picked
        return actor, self.api(actor).delete(f"/api/v1/{PATHS[kind]}/{pk}")


WEIGHTS = {
    "create_document": 3,
    "add_line": 6,
    "change_line": 3,
    "delete_line": 1,
    "change_header": 2,
    "act": 5,
    "change_price": 2,
    "move_switch": 1,
    "delete_document": 1,
}


@pytest.mark.parametrize("seed", [1, 2])
def test_every_write_at_the_api_leaves_history_equal_to_the_stored_rows(
    seed, api, salesperson, manager, integration_user, customizer, catalog
):
    cast = {
        "salesperson": salesperson,
        "manager": manager,
        "back": integration_user,
        "customizer": customizer,
    }
    run = Run(random.Random(seed), api, cast, catalog)
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    changed_by_bulk = 0
    for step in range(STEPS):
        operation = run.rng.choices(names, weights)[0]
        watch = HistoryWatch()
        actor, response = getattr(run, operation)()
        assert response.status_code < 500, (step, operation, response.content)
        changed, problems = watch.check(actor)
        assert not problems, (step, operation, response.status_code, problems)
        if operation in {"act", "change_price"} and any(m in LINE_MODELS.values() for m in changed):
            changed_by_bulk += 1
    # The run did reach the bulk writes (re-pricing, conversions), not only single saves.
    assert changed_by_bulk >= 3, changed_by_bulk
