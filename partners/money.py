"""Money as pages show it: in a value chain's currency, with thousands separators. Plain
formatting with a table of signs (no locale library), one style for every page."""

from decimal import Decimal, InvalidOperation

# The sign a page shows before an amount; a currency not listed shows its ISO 4217 code.
CURRENCY_SYMBOLS = {
    "ZAR": "R",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "KES": "KSh",
    "NGN": "₦",
    "GHS": "GH₵",
    "BWP": "P",
    "NAD": "N$",
    "INR": "₹",
    "AUD": "A$",
    "CAD": "C$",
    "JPY": "¥",
}
# Currencies without minor units (ISO 4217 exponent 0): no cents to show.
WHOLE_CURRENCIES = {"JPY", "KRW", "UGX", "RWF", "XAF", "XOF", "CLP", "VND", "ISK", "PYG"}


def format_money(amount, currency: str = "", *, whole: bool = False) -> str:
    """An amount with its currency's sign and thousands separators: (1800000, "ZAR") gives
    "R 1,800,000.00", with `whole` "R 1,800,000"; a currency without cents (JPY) never shows
    them; an unknown code stands in for the sign ("XYZ 5.00"); no amount is "—"."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    code = (currency or "").upper()
    places = 0 if whole or code in WHOLE_CURRENCIES else 2
    number = f"{abs(value):,.{places}f}"
    negative = value < 0 and any(d not in "0.," for d in number)
    symbol = CURRENCY_SYMBOLS.get(code, code)
    text = f"{symbol} {number}" if symbol else number
    return f"-{text}" if negative else text
