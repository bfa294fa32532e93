"""GraphQL enums, each value described: GraphiQL's docs pane is the staff manual."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from models import enums as e

_DESCRIPTIONS: dict[type[Enum], tuple[str, dict[str, str]]] = {
    e.PartnerKind: (
        "What kind of organisation a partner is.",
        {
            "EMBASSY": "An Indonesian embassy (KBRI), or a trade office acting as mission.",
            "CONSULATE": "An Indonesian consulate (KJRI).",
            "CONSORTIUM": "A registration and outreach consortium (e.g. in Sabah, Sarawak).",
            "AGENCY": "A licensed placement agency (P3MI).",
            "BPJS_OFFICE": "BPJS Ketenagakerjaan itself; owns no workers.",
        },
    ),
    e.Role: (
        "What a person or key may do.",
        {
            "PARTNER_ADMIN": "Manages the partner's keys, accounts and webhooks; can do "
            "everything an officer can.",
            "PARTNER_OFFICER": "Registers and updates workers, changes statuses, records "
            "contributions.",
            "PARTNER_VIEWER": "Reads only; NIK, passport and family-card numbers are masked.",
            "OPERATOR": "BPJS staff: sees every partner, creates partners, transfers workers, "
            "corrects identities.",
        },
    ),
    e.Scope: (
        "A permission an API key carries; scopes narrow a role, never widen it.",
        {
            "READ": "Read workers and their records.",
            "WRITE": "Register and change workers.",
            "SUBSCRIBE": "Receive worker events by subscription.",
            "WEBHOOKS": "Manage webhook endpoints.",
            "ADMIN": "Manage keys and accounts (and, for operators, partners).",
        },
    ),
    e.PlacementStatus: (
        "Where a worker is in the placement cycle.",
        {
            "CANDIDATE": "Registered, in pre-departure preparation (calon PMI).",
            "DEPARTED": "Working abroad under a contract.",
            "ON_LEAVE": "Abroad contract paused (home leave); returns to DEPARTED.",
            "TERMINATED": "Contract ended early while abroad.",
            "MISSING": "Reported missing while abroad.",
            "RETURNED": "Back in Indonesia after placement.",
            "FAILED_DEPARTURE": "Did not depart; may become a CANDIDATE again.",
            "DECEASED": "Died; final.",
        },
    ),
    e.Phase: (
        "Phase derived from the placement status (a death keeps the phase it happened in).",
        {
            "BEFORE": "Before placement: CANDIDATE or FAILED_DEPARTURE.",
            "DURING": "During placement: DEPARTED, ON_LEAVE, TERMINATED or MISSING.",
            "AFTER": "After placement: RETURNED.",
        },
    ),
    e.MembershipStatus: (
        "BPJS membership state.",
        {
            "REGISTERED": "Registered, no contribution paid yet.",
            "ACTIVE": "A contribution covers today.",
            "EXPIRED": "The cover window ended (set by the daily sweep).",
            "CLOSED": "Closed for good (after a death, or by an operator).",
        },
    ),
    e.Program: (
        "A social-security program.",
        {
            "JKK": "Work-accident insurance (mandatory).",
            "JKM": "Death insurance (mandatory).",
            "JHT": "Old-age savings (optional).",
        },
    ),
    e.Gender: ("Gender as on the NIK.", {"FEMALE": "Female.", "MALE": "Male."}),
    e.JobSector: (
        "Sector of the job abroad.",
        {
            "DOMESTIC_WORKER": "Domestic worker.",
            "CAREGIVER": "Caregiver.",
            "PLANTATION": "Plantation worker.",
            "CONSTRUCTION": "Construction worker.",
            "MANUFACTURING": "Factory worker.",
            "FISHERY": "Fishery or ship crew.",
            "HOSPITALITY": "Hotels and restaurants.",
            "OTHER": "Any other sector.",
        },
    ),
    e.PlacementScheme: (
        "Who arranged the placement.",
        {
            "GOVERNMENT": "Government to government (e.g. Korea, Japan).",
            "PRIVATE_AGENCY": "A licensed placement agency.",
            "INDIVIDUAL": "The worker on their own.",
        },
    ),
    e.EmployerType: (
        "Kind of employer.",
        {"COMPANY": "A company.", "HOUSEHOLD": "A private household.",
         "SHIP_CREW": "A ship (crew)."},
    ),
    e.HeirRelation: (
        "An heir's relation to the worker, in the order of entitlement.",
        {
            "SPOUSE_OR_CHILD": "Spouse or child.",
            "BLOOD_RELATIVE": "Blood relative.",
            "SIBLING": "Sibling.",
            "PARENT_IN_LAW": "Parent-in-law.",
            "NAMED_IN_WILL": "Named in a will.",
        },
    ),
    e.ContributionKind: (
        "What a contribution pays for.",
        {
            "PRE_PLACEMENT": "Rp37,500: up to 5 months of cover before departure.",
            "PLACEMENT": "Cover from departure to the contract end plus one month, priced by "
            "contract length.",
            "EXTENSION": "Rp13,500 a month added to the contract.",
            "JHT": "Optional old-age savings, a chosen monthly amount.",
        },
    ),
    e.WorkerEventType: (
        "What happened to a worker.",
        {
            "REGISTERED": "The worker was registered.",
            "UPDATED": "Record fields (or heirs) changed.",
            "PLACEMENT_STATUS_CHANGED": "The placement status changed.",
            "MEMBERSHIP_STATUS_CHANGED": "The membership status changed (incl. the expiry "
            "sweep).",
            "CONTRACT_EXTENDED": "The contract was extended.",
            "CONTRIBUTION_RECORDED": "A contribution was recorded.",
            "TRANSFERRED_IN": "The worker was transferred to this partner.",
            "TRANSFERRED_OUT": "The worker was transferred away from this partner.",
            "IDENTITY_CORRECTED": "An operator corrected identity data.",
        },
    ),
}


def _gql(enum: type[Enum]) -> Any:
    description, values = _DESCRIPTIONS[enum]
    gql = strawberry.enum(enum, description=description)
    # Strawberry reads value descriptions from its definition; the domain enums stay plain.
    for value in gql.__strawberry_definition__.values:
        value.description = values[value.name]
    return gql


PartnerKind = _gql(e.PartnerKind)
Role = _gql(e.Role)
Scope = _gql(e.Scope)
PlacementStatus = _gql(e.PlacementStatus)
Phase = _gql(e.Phase)
MembershipStatus = _gql(e.MembershipStatus)
Program = _gql(e.Program)
Gender = _gql(e.Gender)
JobSector = _gql(e.JobSector)
PlacementScheme = _gql(e.PlacementScheme)
EmployerType = _gql(e.EmployerType)
HeirRelation = _gql(e.HeirRelation)
ContributionKind = _gql(e.ContributionKind)
WorkerEventType = _gql(e.WorkerEventType)
