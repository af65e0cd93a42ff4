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
  Unavailable", "connection refused", "timed out after 15 s"), never the receiver's words.
"""

import errno
import http
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from orders.integration.destinations import Destination, DestinationRefused, destination_for_sending

MAX_HEAD_BYTES = 16 * 1024  # status line and headers of the answer; more is not an answer
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
        destination = destination_for_sending(parts.hostname, port)
        request = request_bytes(parts, body=body, headers=headers, https=https)
        context = (ssl_context or ssl.create_default_context()) if https else None
        status_code = exchange(destination, request, deadline, context)
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
        "Connection: close",
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


def exchange(destination: Destination, request: bytes, deadline: Deadline, ssl_context) -> int:
    """Send the request and read the answer's status code, all before the deadline."""
    sock = connect(destination, deadline)
    try:
        if ssl_context is not None:
            sock.settimeout(deadline.remaining())
            sock = ssl_context.wrap_socket(sock, server_hostname=destination.host)
        sock.settimeout(deadline.remaining())
        sock.sendall(request)
        return read_status(sock, deadline)
    finally:
        sock.close()


def read_status(sock: socket.socket, deadline: Deadline) -> int:
    """The final status code (interim 1xx answers are skipped); the body is never read."""
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD_BYTES:
                raise NotAnAnswer("the answer's headers are too large")
            sock.settimeout(deadline.remaining())
            chunk = sock.recv(4096)
            if not chunk:
                raise NotAnAnswer("the receiver closed the connection without an answer")
            buffer += chunk
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        status_code = parse_status_line(head.split(b"\r\n", 1)[0])
        if status_code >= 200:
            return status_code


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
