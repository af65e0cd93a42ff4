"""The arithmetic of docs/rules.md#catalog and docs/rules.md#price-calculation, as worked
examples computed by hand, and a few properties.

Pure functions over Decimal: no database.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.pricing import engine
from orders.pricing.engine import Band, ItemTerms, LineSums

D = Decimal


def terms(method, **kwargs) -> ItemTerms:
    values = {
        "list_price": D("200.00"),
        "current_cost": D("60.00"),
        "standard_cost": D("50.00"),
    }
    values.update(kwargs)
    return ItemTerms(pricing_method=method, **values)


# --- pricing methods (docs/rules.md#catalog) -------------------------------------------------


def test_currency_amount_is_the_amount():
    assert engine.item_price(terms("currency_amount", amount=D("12.5")), precision=2) == D("12.50")


def test_currency_amount_is_rounded_half_up_to_the_pricing_precision():
    assert engine.item_price(terms("currency_amount", amount=D("12.345")), precision=2) == D(
        "12.35"
    )
    assert engine.item_price(terms("currency_amount", amount=D("12.345")), precision=0) == D("12")


def test_currency_amount_ignores_the_rounding_policy():
    item = terms(
        "currency_amount",
        amount=D("12.34"),
        rounding_policy="up",
        rounding_option="multiple_of",
        rounding_amount=D("5"),
    )
    assert engine.item_price(item, precision=2) == D("12.34")


def test_percent_of_list_is_list_price_times_percentage():
    # 200.00 × 15 % = 30.00
    assert engine.item_price(terms("percent_of_list", percentage=D("15")), precision=2) == D(
        "30.00"
    )


def test_percent_of_list_keeps_the_pricing_precision():
    # 100 × 33.3333 % = 33.3333; to 4 decimals it stays, to 2 it is 33.33
    item = terms("percent_of_list", list_price=D("100"), percentage=D("33.3333"))
    assert engine.item_price(item, precision=4) == D("33.3333")
    assert engine.item_price(item, precision=2) == D("33.33")


def test_markup_on_current_cost_is_cost_times_one_plus_percentage():
    # 60.00 × (1 + 25 %) = 75.00
    assert engine.item_price(terms("markup_current_cost", percentage=D("25")), precision=2) == D(
        "75.00"
    )


def test_markup_on_standard_cost_is_standard_cost_times_one_plus_percentage():
    # 50.00 × (1 + 25 %) = 62.50
    assert engine.item_price(terms("markup_standard_cost", percentage=D("25")), precision=2) == D(
        "62.50"
    )


def test_margin_on_current_cost_adds_cost_times_pct_over_100_minus_pct():
    # 60 + 60 × 25 % ÷ (100 % − 25 %) = 60 + 20 = 80.00: a 25 % margin on an 80 price
    assert engine.item_price(terms("margin_current_cost", percentage=D("25")), precision=2) == D(
        "80.00"
    )


def test_margin_on_standard_cost_adds_cost_times_pct_over_100_minus_pct():
    # 50 + 50 × 20 % ÷ 80 % = 50 + 12.50 = 62.50
    assert engine.item_price(terms("margin_standard_cost", percentage=D("20")), precision=2) == D(
        "62.50"
    )


def test_margin_with_a_repeating_quotient_rounds_half_up():
    # 10 + 10 × 40 % ÷ 60 % = 16.6666… → 16.67
    item = terms("margin_current_cost", current_cost=D("10"), percentage=D("40"))
    assert engine.item_price(item, precision=2) == D("16.67")


def test_margin_of_100_percent_or_more_is_refused():
    with pytest.raises(ValueError, match="below 100"):
        engine.item_price(terms("margin_current_cost", percentage=D("100")), precision=2)


def test_unknown_pricing_method_is_refused():
    with pytest.raises(ValueError, match="Unknown pricing method"):
        engine.item_price(terms("guesswork"), precision=2)


# --- rounding policies (docs/rules.md#catalog) -----------------------------------------------

ROUNDING_EXAMPLES = [
    # value, policy, option, amount, expected
    ("123.40", "none", "multiple_of", "5", "123.40"),
    ("123.40", "none", "ends_in", "0.99", "123.40"),
    ("123.40", "up", "multiple_of", "5", "125"),
    ("123.40", "down", "multiple_of", "5", "120"),
    ("123.40", "nearest", "multiple_of", "5", "125"),
    ("122.40", "nearest", "multiple_of", "5", "120"),
    ("122.50", "nearest", "multiple_of", "5", "125"),  # a tie goes up
    ("125.00", "up", "multiple_of", "5", "125"),  # already a multiple: unchanged
    ("125.00", "down", "multiple_of", "5", "125"),
    ("12.34", "up", "multiple_of", "0.25", "12.50"),
    ("12.34", "down", "multiple_of", "0.25", "12.25"),
    ("12.34", "nearest", "multiple_of", "0.25", "12.25"),
    ("12.34", "up", "ends_in", "0.99", "12.99"),
    ("12.34", "down", "ends_in", "0.99", "11.99"),
    ("12.34", "nearest", "ends_in", "0.99", "11.99"),  # 0.35 below vs 0.65 above
    ("12.75", "nearest", "ends_in", "0.99", "12.99"),  # 0.76 below vs 0.24 above
    ("12.49", "nearest", "ends_in", "0.99", "12.99"),  # a tie (0.50 either way) goes up
    ("123.40", "up", "ends_in", "9.99", "129.99"),  # 9.99 ends the tens too: 119.99, 129.99
    ("12.99", "up", "ends_in", "0.99", "12.99"),  # already ends in .99: unchanged
    ("12.99", "down", "ends_in", "0.99", "12.99"),
    ("123.40", "up", "ends_in", "9", "129"),  # 9 ends the tens: 119, 129
    ("123.40", "down", "ends_in", "9", "119"),
    ("123.40", "nearest", "ends_in", "9", "119"),
    ("176.00", "nearest", "ends_in", "95", "195"),  # 95 ends the hundreds: 95, 195
    ("176.00", "down", "ends_in", "95", "95"),
]


@pytest.mark.parametrize(("value", "policy", "option", "amount", "expected"), ROUNDING_EXAMPLES)
def test_rounding_policy_and_option(value, policy, option, amount, expected):
    assert engine.apply_rounding(D(value), policy, option, D(amount)) == D(expected)


def test_rounding_without_an_amount_leaves_the_value():
    assert engine.apply_rounding(D("12.34"), "up", "multiple_of", D("0")) == D("12.34")


@pytest.mark.parametrize(
    ("value", "amount", "expected"), [("0.50", "0.99", "0.99"), ("5", "9", "9")]
)
def test_rounding_up_to_an_ending_above_the_value_takes_the_first_such_price(
    value, amount, expected
):
    assert engine.apply_rounding(D(value), "up", "ends_in", D(amount)) == D(expected)


def test_percentage_method_rounds_by_the_items_policy_then_to_precision():
    # 200 × 61.7 % = 123.40 → up to a multiple of 5 = 125.00
    item = terms(
        "percent_of_list",
        percentage=D("61.7"),
        rounding_policy="up",
        rounding_option="multiple_of",
        rounding_amount=D("5"),
    )
    assert engine.item_price(item, precision=2) == D("125.00")


def test_markup_rounds_down_to_an_ending():
    # 60 × 1.2057 = 72.342 → down to ends in 0.99 = 71.99
    item = terms(
        "markup_current_cost",
        percentage=D("20.57"),
        rounding_policy="down",
        rounding_option="ends_in",
        rounding_amount=D("0.99"),
    )
    assert engine.item_price(item, precision=2) == D("71.99")


def test_margin_rounds_to_nearest_multiple():
    # 50 + 50 × 20 % ÷ 80 % = 62.50 → nearest multiple of 10 = 60 (62.5 / 10 = 6.25 → 6)
    item = terms(
        "margin_standard_cost",
        percentage=D("20"),
        rounding_policy="nearest",
        rounding_option="multiple_of",
        rounding_amount=D("10"),
    )
    assert engine.item_price(item, precision=2) == D("60.00")


# --- volume discount bands ---------------------------------------------------------------

BANDS = [
    Band(D("1"), D("9"), D("0")),
    Band(D("10"), D("19"), D("5")),
    Band(D("20"), D("99"), D("10")),
]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("9", "0.00"),  # just below the band
        ("9.99999", "0.00"),  # between bands: no band holds it
        ("10", "5.00"),  # from quantity is inclusive
        ("15", "5.00"),
        ("19", "5.00"),  # to quantity is inclusive
        ("19.5", "0.00"),  # just above, not yet the next band
        ("20", "10.00"),
        ("99", "10.00"),
        ("100", "0.00"),  # above every band
    ],
)
def test_percentage_discount_band_edges_are_inclusive(quantity, expected):
    discount = engine.volume_discount_per_unit(
        discount_type="percentage",
        bands=BANDS,
        quantity=D(quantity),
        price_per_unit=D("100.00"),
        places=2,
    )
    assert discount == D(expected)


def test_percentage_discount_is_a_share_of_the_price_rounded_half_up():
    # 33.33 × 5 % = 1.6665 → 1.67
    discount = engine.volume_discount_per_unit(
        discount_type="percentage",
        bands=BANDS,
        quantity=D("10"),
        price_per_unit=D("33.33"),
        places=2,
    )
    assert discount == D("1.67")


@pytest.mark.parametrize(("quantity", "expected"), [("4", "0.00"), ("5", "2.50"), ("10", "2.50")])
def test_amount_discount_list_gives_the_bands_amount_per_unit(quantity, expected):
    bands = [Band(D("5"), D("10"), D("2.5"))]
    discount = engine.volume_discount_per_unit(
        discount_type="amount",
        bands=bands,
        quantity=D(quantity),
        price_per_unit=D("40.00"),
        places=2,
    )
    assert discount == D(expected)


def test_no_discount_list_means_no_volume_discount():
    discount = engine.volume_discount_per_unit(
        discount_type=None, bands=BANDS, quantity=D("15"), price_per_unit=D("100"), places=2
    )
    assert discount == D("0.00")


# --- line amounts (docs/rules.md#price-calculation) ------------------------------------------


def line(method="line_item", **kwargs):
    values = {
        "price_per_unit": D("100"),
        "volume_discount_amount": D("0"),
        "quantity": D("11"),
        "manual_discount_amount": D("10"),
        "tax": D("0"),
        "method": method,
        "places": 2,
    }
    values.update(kwargs)
    return engine.line_amounts(**values)


def test_documented_example_line_item_discount_applies_once():
    # price 100, quantity 11, manual discount 10 → 1100 − 10 = 1090
    amounts = line("line_item")
    assert amounts.base_amount == D("1100.00")
    assert amounts.line_discount == D("10.00")
    assert amounts.extended_amount == D("1090.00")


def test_documented_example_per_unit_discount_applies_per_unit():
    # price 100, quantity 11, manual discount 10 per unit → 1100 − 110 = 990
    amounts = line("per_unit")
    assert amounts.line_discount == D("110.00")
    assert amounts.extended_amount == D("990.00")


def test_base_amount_deducts_the_volume_discount_per_unit():
    # (100 − 5) × 11 = 1045; − 10 + tax 52.25 = 1087.25
    amounts = line(volume_discount_amount=D("5"), tax=D("52.25"))
    assert amounts.base_amount == D("1045.00")
    assert amounts.extended_amount == D("1087.25")


def test_tax_is_added_as_entered():
    amounts = line(manual_discount_amount=D("0"), tax=D("7.77"))
    assert amounts.extended_amount == D("1107.77")


def test_line_amounts_round_half_up_to_currency_precision():
    # 0.125 × 1 = 0.125 → 0.13 (half-up; banker's rounding would give 0.12)
    amounts = line(price_per_unit=D("0.125"), quantity=D("1"), manual_discount_amount=D("0"))
    assert amounts.base_amount == D("0.13")
    # 3 decimals of quantity: 19.99 × 2.345 = 46.87655 → 46.88
    amounts = line(price_per_unit=D("19.99"), quantity=D("2.345"), manual_discount_amount=D("0"))
    assert amounts.base_amount == D("46.88")


def test_line_amounts_follow_a_zero_decimal_currency():
    amounts = line(
        price_per_unit=D("99.5"), quantity=D("1"), manual_discount_amount=D("0"), places=0
    )
    assert amounts.base_amount == D("100")


# --- header totals (docs/rules.md#price-calculation) -----------------------------------------


def test_header_totals_with_discount_percentage_amount_freight_and_tax():
    # One line: base 1000, line discount 0, tax 50 → extended 1050.
    # line items 1000; header discount 20 + 10 % × 1000 = 120; less freight 880;
    # total 880 + freight 15 + tax 50 = 945.
    totals = engine.header_totals(
        LineSums(base_amount=D("1000"), extended_amount=D("1050"), tax=D("50")),
        discount_percentage=D("10"),
        discount_amount=D("20"),
        freight_amount=D("15"),
        places=2,
    )
    assert totals.total_line_item_amount == D("1000.00")
    assert totals.total_line_item_discount_amount == D("0.00")
    assert totals.total_discount_amount == D("120.00")
    assert totals.total_amount_less_freight == D("880.00")
    assert totals.total_tax == D("50.00")
    assert totals.total_amount == D("945.00")


def test_header_totals_count_line_discounts():
    # Two lines: 1100 − 10 (+ tax 0) and 500 − 25 + tax 47.50.
    # Σ base 1600; Σ extended 1090 + 522.50 = 1612.50; Σ tax 47.50.
    # line items = 1612.50 − 47.50 = 1565; line discounts = 1600 − 1565 = 35;
    # header discount 5 % × 1565 = 78.25; total discount 113.25; less freight 1486.75;
    # total 1486.75 + 0 + 47.50 = 1534.25
    totals = engine.header_totals(
        LineSums(base_amount=D("1600"), extended_amount=D("1612.50"), tax=D("47.50")),
        discount_percentage=D("5"),
        discount_amount=D("0"),
        freight_amount=D("0"),
        places=2,
    )
    assert totals.total_line_item_amount == D("1565.00")
    assert totals.total_line_item_discount_amount == D("35.00")
    assert totals.total_discount_amount == D("113.25")
    assert totals.total_amount_less_freight == D("1486.75")
    assert totals.total_amount == D("1534.25")


def test_header_discount_percentage_rounds_half_up():
    # 5 % × 10.10 = 0.505 → 0.51 (half-up; banker's rounding would give 0.50)
    totals = engine.header_totals(
        LineSums(base_amount=D("10.10"), extended_amount=D("10.10"), tax=D("0")),
        discount_percentage=D("5"),
        discount_amount=D("0"),
        freight_amount=D("0"),
        places=2,
    )
    assert totals.total_discount_amount == D("0.51")
    assert totals.total_amount == D("9.59")


def test_empty_document_totals_are_zero_plus_freight():
    totals = engine.header_totals(
        LineSums(),
        discount_percentage=D("0"),
        discount_amount=D("0"),
        freight_amount=D("9.95"),
        places=2,
    )
    assert totals.total_line_item_amount == D("0.00")
    assert totals.total_amount == D("9.95")


def test_quantize_rounds_half_up_and_decimal_places_ignores_trailing_zeros():
    assert engine.quantize(D("2.345"), 2) == D("2.35")
    assert engine.quantize(D("-2.345"), 2) == D("-2.35")
    assert engine.decimal_places(D("1.50")) == 1
    assert engine.decimal_places(D("2")) == 0
    assert engine.decimal_places(D("1E+2")) == 0
    assert engine.decimal_places(D("0.00001")) == 5


# --- properties ----------------------------------------------------------------------------


def money(max_value="100000", places=2, min_value="0"):
    return st.decimals(
        min_value=D(min_value), max_value=D(max_value), places=places, allow_nan=False
    )


quantities = st.decimals(min_value=D("0.00001"), max_value=D("10000"), places=5, allow_nan=False)


# Pure arithmetic: no deadline, so a loaded CI machine cannot make these flaky.
@settings(deadline=None)
@given(
    price=money(places=4),
    volume=money(max_value="10"),
    quantity=quantities,
    manual=money(max_value="1000"),
    tax=money(max_value="1000"),
    method=st.sampled_from(["line_item", "per_unit"]),
)
def test_extended_is_base_minus_line_discount_plus_tax(
    price, volume, quantity, manual, tax, method
):
    amounts = engine.line_amounts(
        price_per_unit=price,
        volume_discount_amount=volume,
        quantity=quantity,
        manual_discount_amount=manual,
        tax=tax,
        method=method,
        places=2,
    )
    # every money value is already at currency precision, so the identity holds exactly
    assert amounts.extended_amount == amounts.base_amount - amounts.line_discount + tax
    assert amounts.base_amount == engine.quantize((price - volume) * quantity, 2)
    assert amounts.base_amount.as_tuple().exponent == -2


@settings(deadline=None)
@given(
    base=money(),
    discounts=money(max_value="1000"),
    tax=money(max_value="10000"),
    discount_percentage=st.decimals(min_value=0, max_value=100, places=4, allow_nan=False),
    discount_amount=money(max_value="1000"),
    freight=money(max_value="1000"),
)
def test_total_is_less_freight_plus_freight_plus_tax(
    base, discounts, tax, discount_percentage, discount_amount, freight
):
    totals = engine.header_totals(
        LineSums(base_amount=base, extended_amount=base - discounts + tax, tax=tax),
        discount_percentage=discount_percentage,
        discount_amount=discount_amount,
        freight_amount=freight,
        places=2,
    )
    assert totals.total_amount == totals.total_amount_less_freight + freight + totals.total_tax
    assert totals.total_line_item_amount == base - discounts
    assert totals.total_line_item_discount_amount == discounts
    assert totals.total_discount_amount == (
        totals.total_line_item_amount
        - totals.total_amount_less_freight
        + totals.total_line_item_discount_amount
    )


@settings(deadline=None)
@given(
    value=money(max_value="10000", places=4),
    step=st.sampled_from([D("0.05"), D("0.25"), D("1"), D("5"), D("10")]),
)
def test_rounding_to_a_multiple_up_is_never_below_and_down_never_above(value, step):
    up = engine.apply_rounding(value, "up", "multiple_of", step)
    down = engine.apply_rounding(value, "down", "multiple_of", step)
    nearest = engine.apply_rounding(value, "nearest", "multiple_of", step)
    assert down <= value <= up
    assert up - down in (0, step)
    assert nearest in (up, down)
    assert abs(nearest - value) <= step / 2
    assert (up / step) == (up / step).to_integral_value()


def value_and_ending():
    # Only values at or above the ending: below it no non-negative price has that ending
    # (see the xfail'd example above for "up").
    return st.sampled_from([D("0.99"), D("0.95"), D("9"), D("95")]).flatmap(
        lambda ending: st.tuples(
            st.decimals(min_value=ending, max_value=D("10000"), places=4, allow_nan=False),
            st.just(ending),
        )
    )


@settings(deadline=None)
@given(pair=value_and_ending())
def test_rounding_to_an_ending_up_is_never_below_and_down_never_above(pair):
    value, ending = pair
    up = engine.apply_rounding(value, "up", "ends_in", ending)
    down = engine.apply_rounding(value, "down", "ends_in", ending)
    nearest = engine.apply_rounding(value, "nearest", "ends_in", ending)
    assert down <= value <= up
    assert nearest in (up, down)
    period = D(1) if ending < 1 else D(10) if ending < 10 else D(100)
    assert up - down in (0, period)
    for price in (up, down, nearest):
        assert (price - ending) % period == 0


@settings(deadline=None)
@given(
    percentage=st.decimals(min_value=0, max_value=D("99.99"), places=2, allow_nan=False),
    cost=money(max_value="10000"),
)
def test_margin_is_the_share_of_the_price(percentage, cost):
    """A margin of p % means (price − cost) ÷ price = p %, to the pricing precision."""
    price = engine.item_price(
        terms("margin_current_cost", current_cost=cost, percentage=percentage), precision=10
    )
    assert price >= cost
    if price:
        assert abs((price - cost) / price * 100 - percentage) < D("0.0001")
