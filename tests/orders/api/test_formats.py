"""Small pieces of the API's contract: decimals as strings, ETag parsing."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIRequestFactory

from orders.api.conditional import etag, expected_version
from orders.api.errors import PreconditionFailed
from orders.api.fields import DecimalString


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("10.0000"), 2, "10.00"),
        (Decimal("10.1250"), 2, "10.125"),
        (Decimal("12.3456000000"), 2, "12.3456"),
        (Decimal("100"), 2, "100.00"),
        (Decimal("0E-10"), 2, "0.00"),
        (Decimal("2.00000"), 0, "2"),
        (Decimal("1E+3"), 0, "1000"),
    ],
)
def test_decimals_render_as_plain_strings(value, places, text):
    field = DecimalString(max_digits=28, decimal_places=10, min_places=places)
    assert field.to_representation(value) == text


@settings(deadline=None, max_examples=50)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_decimal_strings_keep_the_value(value):
    text = DecimalString(max_digits=19, decimal_places=4).to_representation(value)
    assert Decimal(text) == value
    assert "E" not in text


def request_with(header):
    headers = {} if header is None else {"HTTP_IF_MATCH": header}
    return APIRequestFactory().patch("/", **headers)


@pytest.mark.parametrize(
    ("header", "version"),
    [(None, None), ("*", None), ('W/"7"', 7), ('"7"', 7), ("7", 7), ('"1", W/"7"', 7)],
)
def test_if_match_forms(header, version):
    assert expected_version(request_with(header), current=7) == version


@pytest.mark.parametrize("header", ["garbage", 'W/"-1"', '""', "9" * 30])
def test_if_match_that_names_no_version_is_412(header):
    with pytest.raises(PreconditionFailed):
        expected_version(request_with(header), current=7)


def test_etag_is_weak_and_quoted():
    assert etag(3) == 'W/"3"'
