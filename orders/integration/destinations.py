"""Where webhooks may go: never to this machine's or the network's own services by accident.

An endpoint URL is a request sopsite makes on a customizer's behalf, so a URL aimed at an
internal address (the database's host, an admin console on 10.x, the cloud metadata service at
169.254.169.254) would turn the webhook worker into a way in (server-side request forgery).
The rule, checked where an endpoint is created or edited and again at every send:

* public (globally routable) addresses are allowed;
* loopback, private, unique-local, shared, unspecified and other non-global addresses are
  refused, unless the server runs with ``SOP_WEBHOOK_ALLOW_PRIVATE=true`` (``make run`` sets
  it, so the back-office simulator on 127.0.0.1 keeps working);
* link-local addresses (169.254.0.0/16, including the cloud metadata address, and fe80::/10)
  and multicast are refused even then.

A host name is judged by every address it resolves to. At send time the name is resolved
once, checked, and the connection goes to that very address (``transport.post``), so a name
that resolves to a public address when it is saved and to an internal one later (DNS
rebinding) is refused then.
"""

import ipaddress
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 forms that carry an IPv4 address inside them; the IPv4 address is what is reached.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def allow_private() -> bool:
    """``SOP_WEBHOOK_ALLOW_PRIVATE``: internal (but never link-local) addresses are allowed."""
    return bool(getattr(settings, "SOP_WEBHOOK_ALLOW_PRIVATE", False))


def reached_address(address: IPAddress) -> IPAddress:
    """The address a connection really reaches: the IPv4 one inside IPv4-mapped, NAT64 and
    6to4 IPv6 addresses (``::ffff:127.0.0.1`` is 127.0.0.1)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour is not None:
            return address.sixtofour
    return address


def address_kind(address: IPAddress) -> str:
    """What kind of non-public address this is, in words."""
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_private:
        return "a private network address"
    if address.is_reserved:
        return "a reserved address"
    return "not a public internet address"


def address_refusal(address: IPAddress) -> str | None:
    """Why a webhook may not go to this address, or None when it may."""
    reached = reached_address(address)
    if reached.is_link_local:
        return (
            "a link-local address (such as the cloud metadata service at 169.254.169.254), "
            "which is never allowed"
        )
    if reached.is_multicast:
        return "a multicast address, which is never allowed"
    if reached.is_global or allow_private():
        return None
    return (
        f"{address_kind(reached)}; internal addresses are refused unless the server runs "
        "with SOP_WEBHOOK_ALLOW_PRIVATE=true"
    )


class DestinationRefused(ValidationError):
    """The URL's host is, or resolves to, an address webhooks may not go to."""

    def __init__(self, host: str, address: IPAddress, reason: str):
        self.host, self.address, self.reason = host, address, reason
        if str(address) == host.strip("[]"):
            self.where = f"{host} is {reason}"
        else:
            self.where = f"{host} resolves to {address}, {reason}"
        super().__init__(f"Webhooks cannot be sent there: {self.where}.", code="destination")


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name resolves to, in the resolver's order (numeric forms such as
    ``127.1`` or ``2130706433`` resolve too); raises ``OSError`` when it does not resolve."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(addresses: list[IPAddress], *, host: str) -> list[IPAddress]:
    """The addresses, when every one of them is allowed; else ``DestinationRefused``."""
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            raise DestinationRefused(host, address, reason)
    return addresses


@dataclass(frozen=True)
class Destination:
    host: str
    port: int
    addresses: list[IPAddress]


def destination_for_sending(host: str, port: int) -> Destination:
    """Resolve once and check: the addresses a send may connect to (and nothing else).

    Raises ``DestinationRefused``, or ``OSError`` when the name does not resolve.
    """
    return Destination(host, port, checked_addresses(resolve(host, port), host=host))


def validate_destination(host: str, port: int) -> None:
    """The check at the doors that save an endpoint.

    A name that does not resolve (yet) is accepted: the address a webhook would reach is
    checked again at every send, which is where the rule is enforced.
    """
    address = literal_address(host)
    if address is not None:
        checked_addresses([address], host=host)
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return
    checked_addresses(addresses, host=host)
