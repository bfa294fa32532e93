"""Creating partners (an operator action, also available on the CLI)."""

from __future__ import annotations

from models import validators as v
from models.enums import PartnerKind
from models.errors import FieldProblem, Problems, ValidationFailed
from models.partners import Partner


async def create_partner(
    *, code: str, name: str, kind: PartnerKind | str, country: str, region: str | None = None
) -> Partner:
    p = Problems()
    clean_code = p.run(v.partner_code, code)
    clean_name = p.run(v.bounded_text, name, "name", 200)
    clean_country = p.run(v.country, country, "country")
    clean_region = p.run(v.bounded_text, region, "region", 100) if region else None
    try:
        clean_kind = PartnerKind(kind)
    except ValueError:
        p.add("kind", "enum", "kind must be one of " + ", ".join(k.value for k in PartnerKind))
        clean_kind = None
    p.raise_if_any()
    if await Partner.filter(code=clean_code).exists():
        raise ValidationFailed([FieldProblem("code", "unique", "A partner with this code exists.")])
    return await Partner.create(
        code=clean_code, name=clean_name, kind=clean_kind, country=clean_country,
        region=clean_region,
    )
