"""The reference back office (docs/integration.md): receives the webhooks, then works through
the REST API.

It is a real HTTP server and a real API client, the way an ERP connector would be written:

* ``POST /webhooks`` verifies the Standard Webhooks signature (400 when it does not match),
  answers 204 at once, and ignores a ``webhook-id`` it has already taken (deliveries are
  at-least-once);
* for ``salesorder.submitted`` it works in a background thread, as the integration user:
  acknowledges the order (``last_back_office_submit``, ``external_reference``,
  ``submit_status``), writes back its own price on the first line, fulfils the order, creates
  the invoice with the amounts it decided (header and lines), and marks it paid;
* for ``salesorder.change_requested`` it answers the request at once, in a thread of its own
  (no think time): a note with the word "return" in it gets the order rejected back to the
  salesperson for editing, any other note is declined with a reason (the order stays
  submitted, and is worked as usual when its turn comes).

Every write sends ``If-Match`` with the ETag it last read, and every POST an
``Idempotency-Key`` derived from the webhook id, so a replay after a crash cannot create a
second invoice. Nothing here imports the domain: it only speaks HTTP and JSON.
"""

import json
import logging
import queue
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

logger = logging.getLogger("sopsite.simulator")

CENT = Decimal("0.01")
RETURN_WORD = re.compile(r"\breturn", re.IGNORECASE)  # "return", "returned", "Return it"
BACK_OFFICE_PRICE_FACTOR = Decimal("0.95")  # the back office grants 5 % on the first line


class ApiError(Exception):
    def __init__(self, method: str, path: str, status: int, body):
        super().__init__(f"{method} {path} answered {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class ApiResponse:
    status: int
    data: dict | list | None
    etag: str | None


class ApiClient:
    """A tiny JSON client for /api/v1 with token authentication."""

    def __init__(self, base_url: str, token: str, timeout: float = 15, attempts: int = 4):
        if urllib.parse.urlsplit(base_url).scheme not in {"http", "https"}:
            raise ValueError(f"The API's address must start with http:// or https://: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.attempts = attempts
        self.retry_pause = 0.5

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> ApiResponse:
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if if_match:
            headers["If-Match"] = if_match
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(  # noqa: S310 (the API's own http(s) address)
                self.base_url + path, data=data, method=method, headers=headers
            )
            try:
                response = urllib.request.urlopen(  # noqa: S310  # nosec B310  # http(s): __init__
                    request, timeout=self.timeout
                )
                with response:
                    raw = response.read()
                    return ApiResponse(
                        response.status, json.loads(raw) if raw else None, response.headers["ETag"]
                    )
            except urllib.error.HTTPError as error:
                raw = error.read()
                try:
                    detail = json.loads(raw)
                except ValueError:
                    detail = raw.decode(errors="replace")[:500]
                # A 5xx changed nothing (the request's transaction rolled back): try again, as
                # a real connector would; 4xx answers are final.
                if error.code < 500 or attempt == self.attempts:
                    raise ApiError(method, path, error.code, detail) from None
            except urllib.error.URLError as error:
                if attempt == self.attempts:
                    raise ApiError(method, path, 0, str(error.reason)) from None
            time.sleep(self.retry_pause * attempt)
        raise AssertionError("unreachable")


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Processed:
    order_id: int
    external_reference: str = ""
    invoice_id: int | None = None
    invoice_total: str = ""
    error: str = ""
    done: threading.Event = field(default_factory=threading.Event)


def decided_line(line: dict, price: Decimal) -> dict:
    """A line as the back office prices it: its price × quantity, less discount, plus tax."""
    quantity = Decimal(line["quantity"])
    discount = money(line["manual_discount_amount"])
    tax = money(line["tax"])
    base = money(price * quantity)
    return {
        "product": line["product"],
        "write_in_product": line["write_in_product"],
        "unit": line["unit"],
        "quantity": line["quantity"],
        "price_per_unit": str(price),
        "is_price_overridden": True,
        "volume_discount_amount": "0.00",
        "base_amount": str(base),
        "manual_discount_amount": str(discount),
        "tax": str(tax),
        "extended_amount": str(base - discount + tax),
    }


def decided_totals(lines: list[dict], *, freight: Decimal) -> dict:
    line_total = sum((Decimal(x["extended_amount"]) - Decimal(x["tax"]) for x in lines), 0)
    line_discount = sum((Decimal(x["manual_discount_amount"]) for x in lines), 0)
    tax_total = sum((Decimal(x["tax"]) for x in lines), 0)
    return {
        "total_line_item_amount": str(money(line_total)),
        "total_line_item_discount_amount": str(money(line_discount)),
        "total_discount_amount": str(money(line_discount)),
        "total_amount_less_freight": str(money(line_total)),
        "total_tax": str(money(tax_total)),
        "total_amount": str(money(line_total + freight + tax_total)),
    }


def process_submitted_order(api: ApiClient, order: dict, *, webhook_id: str) -> Processed:
    """Acknowledge, re-price, fulfil, invoice and mark paid one submitted order."""
    order_id = order["id"]
    result = Processed(order_id=order_id)
    path = f"/api/v1/salesorders/{order_id}"
    current = api.request("GET", path)
    if current.data["state"] != "submitted":
        # Already handled (a replay after we crashed), rejected or canceled meanwhile.
        result.error = f"skipped: the order is {current.data['state']}"
        return result
    lines = current.data["lines"]

    # 1. Acknowledge: the order is in the back office now.
    result.external_reference = f"BO-{current.data['number']}"
    current = api.request(
        "PATCH",
        path,
        {
            "last_back_office_submit": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "external_reference": result.external_reference,
            "submit_status": "received",
        },
        if_match=current.etag,
    )

    # 2. Its own price on the first line, and the amounts that follow from it: calculation is
    #    skipped for us, so what we send is kept as given — the line and the order's totals
    #    must add up by our own arithmetic, the same as on the invoice we will send.
    prices = {line["id"]: Decimal(line["price_per_unit"]) for line in lines}
    if lines:
        first = lines[0]
        prices[first["id"]] = money(Decimal(first["price_per_unit"]) * BACK_OFFICE_PRICE_FACTOR)
    decided = [decided_line(line, prices[line["id"]]) for line in lines]
    totals = decided_totals(decided, freight=money(current.data["freight_amount"]))
    if lines:
        patched = api.request(
            "PATCH",
            f"{path}/lines/{first['id']}",
            {
                key: decided[0][key]
                for key in (
                    "price_per_unit",
                    "is_price_overridden",
                    "volume_discount_amount",
                    "base_amount",
                    "extended_amount",
                )
            },
            if_match=current.etag,
        )
        current = api.request("PATCH", path, totals, if_match=patched.etag)

    # 3. Shipped in full.
    current = api.request(
        "POST",
        f"{path}/fulfill",
        {"status_reason": "complete"},
        if_match=current.etag,
        idempotency_key=f"{webhook_id}:fulfill",
    )

    # 4. The invoice, with the amounts the back office decided.
    invoice_lines = decided
    freight = money(current.data["freight_amount"])
    invoice = api.request(
        "POST",
        "/api/v1/invoices",
        {
            "name": f"Invoice for {current.data['number']}",
            "sales_order": order_id,
            "account": current.data["account"],
            "price_list": current.data["price_list"],
            "currency": current.data["currency"],
            "freight_amount": str(freight),
            **totals,
        },
        idempotency_key=f"{webhook_id}:invoice",
    )
    invoice_path = f"/api/v1/invoices/{invoice.data['id']}"
    etag = invoice.etag
    for number, line in enumerate(invoice_lines, start=1):
        created = api.request(
            "POST",
            f"{invoice_path}/lines",
            line,
            if_match=etag,
            idempotency_key=f"{webhook_id}:invoice-line:{number}",
        )
        etag = created.etag

    # 5. Paid.
    paid = api.request(
        "POST",
        f"{invoice_path}/mark_paid",
        {"status_reason": "complete"},
        if_match=etag,
        idempotency_key=f"{webhook_id}:paid",
    )
    result.invoice_id = paid.data["id"]
    result.invoice_total = paid.data["total_amount"]
    return result


@dataclass
class Answered:
    """The simulator's answer to one change request."""

    order_id: int
    change_request_id: int
    answer: str = ""  # "rejected" or "declined"
    reason: str = ""
    error: str = ""
    done: threading.Event = field(default_factory=threading.Event)


def answer_change_request(api: ApiClient, data: dict, *, webhook_id: str) -> Answered:
    """Reject the order when the note asks for it back ("return"), decline the request
    otherwise. An order no longer submitted (answered already, a replay) is left alone."""
    order_id = data["id"]
    change = data["change_request"]
    result = Answered(order_id=order_id, change_request_id=change["id"])
    path = f"/api/v1/salesorders/{order_id}"
    current = api.request("GET", path)
    if current.data["state"] != "submitted":
        result.error = f"skipped: the order is {current.data['state']}"
        return result
    note = change["note"]
    if RETURN_WORD.search(note):
        result.answer = "rejected"
        result.reason = f"Returned for editing, as you asked: {note}"[:2000]
        action = "reject"
    else:
        result.answer = "declined"
        result.reason = (
            "The order is already being picked as submitted; we cannot change it now. "
            "Ask for it back (say “return”) if it must change."
        )
        action = "decline_change"
    try:
        api.request(
            "POST",
            f"{path}/{action}",
            {"reason": result.reason},
            if_match=current.etag,
            idempotency_key=f"{webhook_id}:{action}",
        )
    except ApiError as error:
        if error.status == 409 and isinstance(error.body, dict):
            # answered meanwhile (by a person at the back office, or an earlier attempt)
            result.error = f"skipped: {error.body.get('code')}"
            return result
        raise
    return result


class BackOffice:
    """The simulator's state: the signing secret, the webhook ids taken, the orders done."""

    def __init__(
        self,
        *,
        api: ApiClient,
        secret: str,
        refresh_secret: Callable | None = None,
        think_time: float = 0,
    ):
        self.api = api
        # Seconds an order waits before the back office acts on it (a person at the ERP): in a
        # demo the submitted, read-only order stays visible that long.
        self.think_time = think_time
        self.secret = secret
        self.refresh_secret = refresh_secret
        self.seen: set[str] = set()
        self.received: list[dict] = []
        self.processed: dict[int, Processed] = {}
        self.answered: dict[int, Answered] = {}  # by change request id
        self.lock = threading.Lock()
        # Orders are worked one at a time, in the order they arrived, by one background thread.
        self.work: queue.Queue = queue.Queue()
        threading.Thread(target=self._work_loop, daemon=True).start()
        # Change requests are answered at once, by a second thread, without the think time: a
        # request that arrives while its order waits is answered before the order is worked.
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._answer_loop, daemon=True).start()

    def verify(self, body: bytes, headers: dict) -> dict:
        try:
            return Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            # The secret may have been rotated on App Settings since we started.
            fresh = self.refresh_secret() if self.refresh_secret else None
            if not fresh or fresh == self.secret:
                raise
            self.secret = fresh
            return Webhook(self.secret).verify(body, headers)

    def accept(self, body: bytes, headers: dict) -> tuple[int, str]:
        """Verify and take one webhook; returns the HTTP status and a short note."""
        headers = {key.lower(): value for key, value in headers.items()}
        try:
            payload = self.verify(body, headers)
        except (WebhookVerificationError, ValueError) as error:
            return 400, f"signature not valid: {error}"
        webhook_id = headers["webhook-id"]
        with self.lock:
            if webhook_id in self.seen:
                logger.info("webhook %s (%s): duplicate ignored", webhook_id, payload.get("type"))
                return 200, "duplicate ignored"
            self.seen.add(webhook_id)
            self.received.append(payload)
        if payload.get("type") == "salesorder.submitted":
            order = payload["data"]
            processed = Processed(order_id=order["id"])
            with self.lock:
                self.processed[order["id"]] = processed
            self.work.put((order, webhook_id, processed, time.monotonic()))
        elif payload.get("type") == "salesorder.change_requested":
            data = payload["data"]
            answered = Answered(order_id=data["id"], change_request_id=data["change_request"]["id"])
            with self.lock:
                self.answered[answered.change_request_id] = answered
            self.answers.put((data, webhook_id, answered))
        logger.info("webhook %s (%s): accepted", webhook_id, payload.get("type"))
        return 204, "accepted"

    def _work_loop(self) -> None:
        while True:
            order, webhook_id, processed, arrived = self.work.get()
            time.sleep(max(0.0, arrived + self.think_time - time.monotonic()))
            self._work(order, webhook_id, processed)

    def _answer_loop(self) -> None:
        while True:
            self._answer(*self.answers.get())

    def _work(self, order: dict, webhook_id: str, processed: Processed) -> None:
        try:
            result = process_submitted_order(self.api, order, webhook_id=webhook_id)
            processed.external_reference = result.external_reference
            processed.invoice_id = result.invoice_id
            processed.invoice_total = result.invoice_total
            processed.error = result.error
            logger.info("order %s: %s", order.get("number"), result.error or "invoiced and paid")
        except Exception as error:
            processed.error = str(error)
            logger.exception("back office could not process order %s", order.get("number"))
        finally:
            processed.done.set()

    def _answer(self, data: dict, webhook_id: str, answered: Answered) -> None:
        try:
            result = answer_change_request(self.api, data, webhook_id=webhook_id)
            answered.answer, answered.reason, answered.error = (
                result.answer,
                result.reason,
                result.error,
            )
            logger.info(
                "change request on %s: %s", data.get("number"), result.error or result.answer
            )
        except Exception as error:
            answered.error = str(error)
            logger.exception("back office could not answer the change to %s", data.get("number"))
        finally:
            answered.done.set()


def make_server(back_office: BackOffice, *, host: str = "127.0.0.1", port: int = 0):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            if length > 10_000_000:
                self._answer(413, "too large")
                return
            status, note = back_office.accept(self.rfile.read(length), dict(self.headers.items()))
            self._answer(status, note)

        def _answer(self, status: int, note: str) -> None:
            body = json.dumps({"result": note}).encode()
            self.send_response(status)
            if status != 204:
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
            self.end_headers()
            if status != 204:
                self.wfile.write(body)

        def log_message(self, format, *args):
            logger.info("%s %s", self.address_string(), format % args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
