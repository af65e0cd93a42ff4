"""One webhook POST, on a socket of our own, under one deadline, to a checked address.

Why not ``http.client``: its timeout bounds each network wait, not the whole answer, so a
receiver trickling a byte a second keeps a send busy indefinitely (it held one for 25 s with a
3 s timeout), past the worker's lease; and it resolves the host name itself, after any check
we could make (DNS rebinding). Here:

* the name is resolved once and every address checked (``destinations``), and the connection
  goes to that exact address; the ``Host`` header and TLS's SNI and certificate check still use
  the name;
* connecting, the TLS handshake, sending and every read of the answer get the time left of
  one deadline, so the whole attempt ends within the timeout (Python bounds a whole
  ``sendall``, ``recv`` or TLS handshake by the socket timeout);
* only the status line decides the outcome; the receiver's headers are read up to a cap and
  its body is never read, stored or shown. The outcome's reason is ours ("HTTP 503 Service
  Unavailable", "connection refused", "timed out after 15 s"), never the receiver's words;
* the connection is kept for the next send to the same endpoint from the same thread (one
  persistent connection per endpoint per thread: no name lookup, TCP or TLS handshake per
  webhook). It is kept only when the answer allows it (HTTP/1.1, no ``Connection: close``) and
  when the answer's body — if any — already arrived whole and small; otherwise it is closed,
  so a body is still never waited for. It is reused while it has been idle at most
  ``IDLE_SECONDS`` and open at most ``MAX_AGE_SECONDS`` (so a moved receiver's new address is
  picked up within a minute), and only while the address it is connected to still passes
  the address rule (checked at every send, without a lookup: that address was resolved and
  checked when the connection was opened, so a name rebound meanwhile cannot redirect it).
  A kept connection the receiver closed meanwhile is noticed before any answer byte, and the
  request goes once more on a new connection, under the same deadline.
"""

import contextlib
import errno
import http
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from orders.integration.destinations import (
    Destination,
    DestinationRefused,
    address_refusal,
    destination_for_sending,
)

MAX_HEAD_BYTES = 16 * 1024  # status line and headers of the answer; more is not an answer
MAX_KEPT_BODY = 16 * 1024  # an answer body up to this, arrived with the head, is skipped to keep
IDLE_SECONDS = 30.0  # a kept connection idle longer is closed rather than reused
MAX_AGE_SECONDS = 60.0  # a kept connection open longer is closed: the name is looked up again
MAX_KEPT = 32  # connections kept per thread
PRINTABLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str  # a short reason of ours; empty on success
    duration_ms: int


class NotAnAnswer(Exception):
    """The receiver's bytes are not an HTTP answer; the message is our short reason."""


class Deadline:
    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; ``TimeoutError`` once it has passed."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


def status_reason(status_code: int) -> str:
    try:
        return f"HTTP {status_code} {http.HTTPStatus(status_code).phrase}"
    except ValueError:
        return f"HTTP {status_code}"


def network_reason(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "connection reset by the receiver"
    if isinstance(error, socket.gaierror):
        return "host name not found"
    if isinstance(error, ssl.SSLCertVerificationError):
        return "TLS certificate not valid for the host"
    if isinstance(error, ssl.SSLError):
        return "TLS handshake failed"
    name = errno.errorcode.get(error.errno or 0)
    return f"network error ({name})" if name else "network error"


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    ssl_context: ssl.SSLContext | None = None,
) -> Outcome:
    """POST ``body`` once; never raises for network trouble (that is an outcome too)."""
    started = time.monotonic()
    deadline = Deadline(timeout)
    status_code = None
    try:
        parts = urlsplit(url)
        if any(not char.isprintable() or char.isspace() for char in url) or not parts.hostname:
            raise NotAnAnswer("the endpoint's address is not valid")
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        request = request_bytes(parts, body=body, headers=headers, https=https)
        key = (parts.scheme, parts.hostname, port, id(ssl_context))
        status_code = exchange_kept(key, request, deadline)
        if status_code is None:
            destination = destination_for_sending(parts.hostname, port)
            context = (ssl_context or _default_context()) if https else None
            status_code = exchange(destination, request, deadline, context, key=key)
        ok = 200 <= status_code < 300
        error = "" if ok else status_reason(status_code)
    except DestinationRefused as refused:
        ok, error = False, f"not sent: {refused.where}"
    except NotAnAnswer as problem:
        ok, error = False, str(problem)
    except TimeoutError:
        ok, error = False, f"timed out after {timeout:g} s"
    except OSError as network:
        ok, error = False, network_reason(network)
    except UnicodeError:
        ok, error = False, "the endpoint's host name is not valid"
    except ValueError:
        ok, error = False, "the endpoint's address is not valid"
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(ok=ok, status_code=status_code, error=error, duration_ms=duration_ms)


def request_bytes(parts, *, body: bytes, headers: dict[str, str], https: bool) -> bytes:
    host = (
        parts.hostname.encode("idna").decode() if not parts.hostname.isascii() else parts.hostname
    )
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != (443 if https else 80):
        host = f"{host}:{parts.port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    target = quote(target, safe=PRINTABLE_ASCII)  # non-ASCII is percent-encoded; nothing else
    lines = [
        f"POST {target} HTTP/1.1",
        f"Host: {host}",
        *(f"{name}: {value}" for name, value in headers.items()),
        f"Content-Length: {len(body)}",
    ]
    if any("\r" in line or "\n" in line for line in lines):
        raise ValueError("a header would split the request")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def connect(destination: Destination, deadline: Deadline) -> socket.socket:
    """A connection to the first of the checked addresses that accepts one."""
    last_error: OSError = ConnectionRefusedError()
    for address in destination.addresses:
        try:
            return socket.create_connection(
                (str(address), destination.port), timeout=deadline.remaining()
            )
        except TimeoutError:
            raise
        except OSError as error:
            last_error = error
    raise last_error


class _Kept(threading.local):
    """This thread's open connections, by (scheme, host, port, TLS context)."""

    def __init__(self):
        # key → (socket, peer address, opened at, last used at), times from time.monotonic()
        self.connections: dict[tuple, tuple[socket.socket, str, float, float]] = {}


_kept = _Kept()
_contexts = threading.local()


def _default_context() -> ssl.SSLContext:
    """One default TLS context per thread (making one loads the CA store: milliseconds)."""
    context = getattr(_contexts, "context", None)
    if context is None:
        context = _contexts.context = ssl.create_default_context()
    return context


def close_connections() -> None:
    """Close this thread's kept connections (a worker thread calls it as it ends)."""
    for sock, *_ in _kept.connections.values():
        _close(sock)
    _kept.connections.clear()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


def _take_kept(key: tuple) -> tuple[socket.socket, float] | None:
    """The kept connection for ``key`` and when it was opened, if it is fresh and its address
    is still allowed."""
    kept = _kept.connections.pop(key, None)
    if kept is None:
        return None
    sock, address, opened, since = kept
    now = time.monotonic()
    fresh = now - since <= IDLE_SECONDS and now - opened <= MAX_AGE_SECONDS
    if not fresh or address_refusal(ipaddress.ip_address(address)) is not None:
        _close(sock)
        return None
    return sock, opened


def _keep(key: tuple, sock: socket.socket, opened: float) -> None:
    try:
        address = sock.getpeername()[0]
    except OSError:
        _close(sock)
        return
    if len(_kept.connections) >= MAX_KEPT:
        oldest = min(_kept.connections, key=lambda k: _kept.connections[k][3])
        _close(_kept.connections.pop(oldest)[0])
    _kept.connections[key] = (sock, address, opened, time.monotonic())


class _StaleConnection(Exception):
    """A kept connection the receiver had closed: nothing of an answer came back."""


def exchange_kept(key: tuple, request: bytes, deadline: Deadline) -> int | None:
    """Send on this thread's kept connection for ``key``; None when there is none (or the
    receiver had closed it), and the request has to go on a new connection."""
    kept = _take_kept(key)
    if kept is None:
        return None
    sock, opened = kept
    try:
        return _exchange_on(sock, request, deadline, key, opened=opened, reused=True)
    except _StaleConnection:
        return None  # closed by the receiver while idle: once more, on a new connection


def exchange(
    destination: Destination, request: bytes, deadline: Deadline, ssl_context, *, key=None
) -> int:
    """Send the request on a new connection to a checked address and read the answer's status
    code, all before the deadline."""
    opened = time.monotonic()
    sock = connect(destination, deadline)
    try:
        if ssl_context is not None:
            sock.settimeout(deadline.remaining())
            sock = ssl_context.wrap_socket(sock, server_hostname=destination.host)
    except BaseException:
        _close(sock)
        raise
    return _exchange_on(sock, request, deadline, key, opened=opened, reused=False)


def _exchange_on(sock, request: bytes, deadline: Deadline, key, *, opened: float, reused: bool):
    keep = False
    try:
        try:
            sock.settimeout(deadline.remaining())
            sock.sendall(request)
            status_code, keep = read_status(sock, deadline, reused=reused)
        except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError) as error:
            if reused:
                raise _StaleConnection from error
            raise
        return status_code
    finally:
        if keep and key is not None:
            _keep(key, sock, opened)
        else:
            _close(sock)


def read_status(sock: socket.socket, deadline: Deadline, *, reused: bool = False):
    """The final status code (interim 1xx answers are skipped) and whether the connection may
    be kept; the body is never waited for."""
    buffer = b""
    received = False
    while True:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD_BYTES:
                raise NotAnAnswer("the answer's headers are too large")
            sock.settimeout(deadline.remaining())
            chunk = sock.recv(4096)
            if not chunk:
                if reused and not received:
                    raise _StaleConnection
                raise NotAnAnswer("the receiver closed the connection without an answer")
            received = True
            buffer += chunk
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        status_line, _, header_block = head.partition(b"\r\n")
        status_code = parse_status_line(status_line)
        if status_code >= 200:
            return status_code, _reusable(status_line, header_block, status_code, buffer)


def _reusable(status_line: bytes, header_block: bytes, status_code: int, rest: bytes) -> bool:
    """Whether the connection can carry the next request: HTTP/1.1 without ``Connection:
    close``, and the whole body (if any) already here — exactly, and small."""
    if not status_line.startswith(b"HTTP/1.1"):
        return False
    headers = {}
    for line in header_block.split(b"\r\n"):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    if b"close" in headers.get(b"connection", b""):
        return False
    if status_code in (204, 304):
        return not rest
    if headers.get(b"transfer-encoding"):
        last_chunk = rest == b"0\r\n\r\n" or rest.endswith(b"\r\n0\r\n\r\n")
        return last_chunk and len(rest) <= MAX_KEPT_BODY
    length = headers.get(b"content-length")
    if length is None or not length.isdigit():
        return False
    return int(length) == len(rest) and len(rest) <= MAX_KEPT_BODY


def parse_status_line(line: bytes) -> int:
    parts = line.split(None, 2)
    if (
        len(parts) < 2
        or not parts[0].startswith(b"HTTP/")
        or len(parts[1]) != 3
        or not parts[1].isdigit()
    ):
        raise NotAnAnswer("the receiver's answer is not HTTP")
    status_code = int(parts[1])
    if not 100 <= status_code <= 599:
        raise NotAnAnswer("the receiver's answer is not HTTP")
    return status_code
