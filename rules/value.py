"""The value an item brings, as the scoring model in use counts it (not its priority).

A score ranks: WSJF divides cost of delay by job size, so a 1-point item with cost of delay 20
scores 20 and a 20-point item with cost of delay 40 scores 2. Summing scores as "value
delivered" would say the small item was worth ten times the big one. What was delivered is the
numerator: cost of delay for WSJF, benefit a week for CD3, net value and value per cost, reach
x impact x confidence for RICE. ICE and custom formulas have no numerator apart from the
score, so the score is their value. The inputs are read from the score's terms, so defaults
and rule changes count exactly as they did in the score; a rule's multiplier does not (it
changes priority, not what the item is worth).
"""

from __future__ import annotations

from typing import Final

from rules.model import Score

#: The unit of each model's value, as digests and charts name it.
VALUE_UNITS: Final[dict[str, str]] = {
    "wsjf": "cost of delay points",
    "cd3": "benefit a week",
    "net_value": "benefit a week",
    "value_per_cost": "benefit a week",
    "rice": "reach x impact x confidence",
    "ice": "ICE score",
    "formula": "score",
}


def value_unit(model: str) -> str:
    """What the value of ``model`` is counted in ("cost of delay points" for WSJF)."""
    return VALUE_UNITS.get(model, "score")


def item_value(score: Score) -> float:
    """The value numerator of ``score``'s model (see the module docstring)."""
    terms = {term.name: term.value for term in score.terms}
    if score.model == "wsjf":
        business = terms.get("business_value")
        if "stakeholder_value" in terms:  # blended as the score does: 1-5 onto SAFe's 1-20
            pulse = 1 + (terms["stakeholder_value"] - 1) * 19 / 4
            business = pulse if business is None else (business + pulse) / 2
        return (
            (business or 0.0)
            + terms.get("time_criticality", 0.0)
            + terms.get("risk_reduction", 0.0)
        )
    if score.model in ("cd3", "net_value", "value_per_cost"):
        return terms.get("benefit_per_week", 0.0)
    if score.model == "rice":
        confidence = terms.get("confidence", 0.0)
        if confidence > 1:  # a percentage, as the score reads it
            confidence /= 100
        return terms.get("reach", 0.0) * terms.get("impact", 0.0) * confidence
    return score.value
