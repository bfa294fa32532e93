"""Building blocks for test stories: partners, keys, viewers, valid worker input, a client."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from models import api_keys
from models.access import ROLE_SCOPES, Viewer
from models.enums import Gender, PartnerKind, Role, Scope
from models.partner_admin import create_partner
from models.partners import Partner
from models.synthetic import make_nik, make_passport

# Serial 1-9999 cycling; the regency varies per cycle so NIKs stay unique in a session.
_serials = itertools.count(0)
_rng = random.Random(20181)


def nik_for(born: date, gender: Gender, serial: int | None = None) -> str:
    if serial is not None:
        return make_nik(_rng, born, gender, serial=serial)
    n = next(_serials)
    return make_nik(_rng, born, gender, serial=n % 9999 + 1, regency=n // 9999 % 79 + 1,
                    district=90)


def worker_input(**overrides: Any) -> dict[str, Any]:
    """A valid RegisterWorkerInput (API field names) for a 30-year-old woman bound for HK."""
    born = overrides.pop("born", date(1995, 3, 14))
    gender = Gender(overrides.get("gender", "FEMALE"))
    data: dict[str, Any] = {
        "nik": nik_for(born, gender),
        "fullName": "Siti Rahmawati",
        "birthDate": born.isoformat(),
        "gender": gender.value,
        "destinationCountry": "HK",
        "jobSector": "DOMESTIC_WORKER",
        "placementScheme": "PRIVATE_AGENCY",
        "passportNumber": make_passport(_rng),
        "contractStart": "2026-01-01",
        "contractEnd": "2027-12-31",
    }
    data.update(overrides)
    return data


async def partner(code: str = "kbri-hongkong", kind: PartnerKind = PartnerKind.EMBASSY,
                  country: str = "HK", name: str | None = None) -> Partner:
    return await create_partner(code=code, name=name or code.upper(), kind=kind,
                                country=country)


async def operator_partner() -> Partner:
    return await partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID", "BPJS")


def viewer(p: Partner, role: Role = Role.PARTNER_OFFICER,
           scopes: frozenset[Scope] | None = None) -> Viewer:
    return Viewer(
        partner_id=p.id,
        partner_kind=p.kind,
        role=role,
        scopes=ROLE_SCOPES[role] if scopes is None else scopes,
        actor=f"test:{p.code}:{role.value}",
    )


async def key(p: Partner, role: Role = Role.PARTNER_OFFICER,
              scopes: frozenset[Scope] | None = None, name: str = "test key") -> str:
    issued = await api_keys.issue(p, name, role, ROLE_SCOPES[role] if scopes is None else scopes)
    return issued.secret


@dataclass
class GraphQLClient:
    """Posts GraphQL to the app in-process (ASGI); ``as_key`` picks the credentials."""

    http: httpx.AsyncClient
    secret: str | None = None

    def as_key(self, secret: str | None) -> GraphQLClient:
        return GraphQLClient(self.http, secret)

    async def post(self, query: str, variables: dict[str, Any] | None = None,
                   **headers: str) -> httpx.Response:
        h = {"content-type": "application/json", **headers}
        if self.secret:
            h["authorization"] = f"Bearer {self.secret}"
        return await self.http.post("/graphql", json={"query": query,
                                                      "variables": variables or {}}, headers=h)

    async def run(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Execute and return ``data``; fails the test on any GraphQL error."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]
