"""Sentences a person understands, one per component of a suggestion, from its stored values."""

from __future__ import annotations

from dataclasses import dataclass

from partners.models import describe_months, mask_to_months

from .models import MatchSettings, Suggestion

LABELS = {
    "product": "Product",
    "season": "Season",
    "volume": "Volume",
    "certifications": "Certifications",
    "distance": "Distance",
    "values": "Chain values",
}


@dataclass(frozen=True)
class Reason:
    component: str
    label: str
    value: float
    weight: float
    sentence: str

    @property
    def percent(self) -> int:
        return round(100 * self.value)


def _number(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:,.1f}".rstrip("0").rstrip(".")


def reasons(s: Suggestion, settings: MatchSettings) -> list[Reason]:
    """Each component of `s` with its value, weight and sentence. Needs s.offer.product,
    s.need.product, s.offer.partner and s.need.partner loaded."""
    offer, need = s.offer, s.need
    unit = need.unit
    if offer.product_id == need.product_id:
        product = f"Supplies {offer.product}, the product needed"
    elif offer.product.parent_id == need.product_id:
        product = f"Supplies {offer.product}, a kind of {need.product}"
    else:
        product = f"Supplies {offer.product}, which covers {need.product} among others"
    needed = len(mask_to_months(need.months))
    season = f"Available in {s.overlap_months} of the {needed} months needed"
    if s.overlap_months < needed:
        season += f" (offers {describe_months(offer.months)})"
    if offer.unit.strip().lower() != unit.strip().lower():
        volume = f"Offers in {offer.unit}, the need is in {unit}: check the volumes together"
    else:
        volume = f"Can cover {round(100 * s.volume)}% of the volume"
        if s.committed_volume:
            volume += f" after {_number(s.committed_volume)} {unit} a year already committed"
    preferred = [c.name for c in settings.preferred_certifications.all()] if settings.pk else []
    required = [c.name for c in need.required_certifications.all()]
    if preferred:
        held = round(s.certifications * len(preferred))
        certifications = f"Holds {held} of the {len(preferred)} certifications the chain prefers"
    else:
        certifications = "The chain prefers no certification"
    if required:
        certifications += f"; holds the required {', '.join(required)}"
    if s.distance_km is None:
        distance = "Location unknown"
    else:
        km = f"{_number(s.distance_km)} km away"
        limits = []
        if offer.delivery_radius_km is not None:
            inside = s.distance_km <= offer.delivery_radius_km
            limits.append(
                f"{'within' if inside else 'beyond'} the {offer.delivery_radius_km} km "
                "delivery radius"
            )
        if need.max_distance_km is not None:
            limits.append(f"the buyer accepts up to {need.max_distance_km} km")
        distance = f"{km}, {' and '.join(limits)}" if limits else km
    supplier = offer.partner
    facts = []
    if supplier.size in ("micro", "small", "medium"):
        facts.append(f"{supplier.get_size_display().split(' ')[0].lower()} producer")
    facts += supplier.ownership
    values = ", ".join(facts).capitalize() if facts else "None of the chain's values apply"
    sentences = {
        "product": (s.product_fit, product),
        "season": (s.season, season),
        "volume": (s.volume, volume),
        "certifications": (s.certifications, certifications),
        "distance": (s.distance, distance),
        "values": (s.values, values),
    }
    weights = settings.weights
    return [
        Reason(name, LABELS[name], value, weights[name], sentence)
        for name, (value, sentence) in sentences.items()
    ]
