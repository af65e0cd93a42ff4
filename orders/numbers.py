"""Numbers are written with the digits 0–9, at every door that parses one from text.

Python's ``Decimal`` and ``int`` read the digits of every script (``Decimal("١٢")`` is 12,
and so are the fullwidth ``"１２"``): a quantity or an amount typed that way would be taken
silently. The API's fields and the page forms refuse it with this message instead.
"""

NOT_ASCII_DIGITS = "Write numbers with the digits 0–9."


def is_written_in_ascii(value) -> bool:
    """False for text with any character outside ASCII (surrounding spaces aside)."""
    return not isinstance(value, str) or value.strip().isascii()
