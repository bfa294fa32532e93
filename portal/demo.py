"""Synthetic demo data: partners, the BPJS operator, API keys and workers shaped like the registry.

Shares follow the domain brief ("Data to generate for demos and benchmarks"): 2023
destinations, the 2018 split of 144,837 candidates to 253,489 workers abroad, gender, job
and home-province mixes. Every worker's API-shaped input passes ``models.worker_input``;
identifiers are sealed by ``models.worker_changes.worker_row``; contributions and cover
windows come from ``models.coverage``; each worker's event history explains its current
state, in the shape ``models.worker_changes`` writes.

Speed (bench/RESULTS.md, "Demo data load"): workers are generated in chunks of 10,000
that do not depend on each other, in helper processes for large loads, and bulk-written
in one transaction: ``executemany`` on SQLite, COPY on PostgreSQL. Secondary indexes (and
PostgreSQL's foreign keys) are set aside during the load and rebuilt once at the end. A
failed load rolls everything back, schema included, so it can simply be run again.
Same seed, same day: same data, apart from key secrets and encryption nonces.
"""

from __future__ import annotations

import asyncio
import bisect
import io
import json
import marshal
import multiprocessing
import os
import random
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from models import api_keys, event_log, identifiers, stats, worker_input
from models.access import ROLE_SCOPES
from models.clock import now, today_jakarta
from models.coverage import JHT_MONTHLY_OPTIONS, add_months, quote
from models.enums import (
    ContributionKind,
    EmployerType,
    Gender,
    HeirRelation,
    JobSector,
    MembershipStatus,
    PartnerKind,
    Phase,
    PlacementScheme,
    PlacementStatus,
    Program,
    Role,
    WorkerEventType,
)
from models.errors import DomainError
from models.lifecycle import phase_of
from models.partner_admin import create_partner
from models.partners import Partner
from models.synthetic import PASSPORT_SERIALS, home_province, make_nik, make_passport
from models.worker_changes import worker_row

ACTOR = "demo:seed"
CHUNK = 10_000
# The 2018 registry: 144,837 candidates among 398,326 registered PMI.
SNAPSHOT_TOTAL = 398_326
SNAPSHOT_BEFORE = 144_837
# Below this many workers helper processes cost more to start than they save.
PARALLEL_FROM = 30_000
MAX_HELPERS = 4
SQLITE_CACHE_KIB = 64 * 1024  # during the load only
# Workers abroad whose pre-placement payment, made as candidates, is on record too (the
# others' predates the registry or was paid elsewhere). Every row costs load time.
PRE_PAID_ABROAD = 0.5


class DemoAlreadyLoaded(DomainError):
    """The database already has partners; demo data goes only into an empty database."""

    def __init__(self) -> None:
        super().__init__(
            "The database already has partners, so demo data was not loaded "
            "(use an empty database)."
        )


def before_count(workers: int) -> int:
    """Workers in phase BEFORE: the 2018 share, rounded as Python rounds."""
    return round(workers * SNAPSHOT_BEFORE / SNAPSHOT_TOTAL)


# --------------------------------------------------------------------------------------
# Partners and where their workers go
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartnerSpec:
    code: str
    name: str
    kind: PartnerKind
    country: str
    region: str | None = None


HONG_KONG = "kbri-hongkong"
TAIPEI = "kdei-taipei"
BINA_KARYA = "p3mi-bina-karya"
MITRA_SEJAHTERA = "p3mi-mitra-sejahtera"

OPERATOR = PartnerSpec(
    "bpjs-ketenagakerjaan", "BPJS Ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID"
)
PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec(HONG_KONG, "KBRI Hong Kong", PartnerKind.EMBASSY, "HK"),
    PartnerSpec("kjri-kotakinabalu", "KJRI Kota Kinabalu", PartnerKind.CONSULATE, "MY", "Sabah"),
    PartnerSpec("kjri-kuching", "KJRI Kuching", PartnerKind.CONSULATE, "MY", "Sarawak"),
    PartnerSpec("sabah-consortium", "Konsorsium Perlindungan PMI Sabah",
                PartnerKind.CONSORTIUM, "MY", "Sabah"),
    PartnerSpec(TAIPEI, "KDEI Taipei (Kantor Dagang dan Ekonomi Indonesia)",
                PartnerKind.EMBASSY, "TW"),
    PartnerSpec("kbri-singapore", "KBRI Singapura", PartnerKind.EMBASSY, "SG"),
    PartnerSpec("kbri-seoul", "KBRI Seoul", PartnerKind.EMBASSY, "KR"),
    PartnerSpec("kbri-bandarseribegawan", "KBRI Bandar Seri Begawan", PartnerKind.EMBASSY, "BN"),
    PartnerSpec(BINA_KARYA, "PT Bina Karya Mandiri (P3MI)", PartnerKind.AGENCY, "ID"),
    PartnerSpec(MITRA_SEJAHTERA, "PT Mitra Sejahtera Abadi (P3MI)", PartnerKind.AGENCY, "ID"),
)


@dataclass(frozen=True, slots=True)
class Cell:
    """One slice of the placements: a destination, the partner that owns it, its share (%)."""

    country: str
    region: str | None
    owner: str
    share: float
    profile: str


# 2023 destinations: TW 30, MY 26 (Peninsular 55%, Sabah 28%, Sarawak 17%), HK 24, KR 5,
# JP 3.5, SG 3, SA 2, IT 1, BN 1, other 4.5 (Macau 3, the Gulf and Turkey 1.5).
_MY = 26.0
CELLS: tuple[Cell, ...] = (
    Cell("TW", None, TAIPEI, 30.0 * 0.85, "TW"),
    Cell("TW", None, BINA_KARYA, 30.0 * 0.075, "TW"),
    Cell("TW", None, MITRA_SEJAHTERA, 30.0 * 0.075, "TW"),
    Cell("MY", "Peninsular", BINA_KARYA, _MY * 0.55 * 0.55, "MY_PENINSULAR"),
    Cell("MY", "Peninsular", MITRA_SEJAHTERA, _MY * 0.55 * 0.45, "MY_PENINSULAR"),
    Cell("MY", "Sabah", "kjri-kotakinabalu", _MY * 0.28 * 0.6, "MY_BORNEO"),
    Cell("MY", "Sabah", "sabah-consortium", _MY * 0.28 * 0.4, "MY_BORNEO"),
    Cell("MY", "Sarawak", "kjri-kuching", _MY * 0.17, "MY_BORNEO"),
    Cell("HK", None, HONG_KONG, 24.0, "HK"),
    Cell("MO", None, HONG_KONG, 3.0, "HK"),
    Cell("KR", None, "kbri-seoul", 5.0, "KR"),
    Cell("JP", None, MITRA_SEJAHTERA, 3.5, "JP"),
    Cell("SG", None, "kbri-singapore", 3.0, "SG"),
    Cell("SA", None, BINA_KARYA, 2.0, "GULF"),
    Cell("IT", None, BINA_KARYA, 1.0, "IT"),
    Cell("BN", None, "kbri-bandarseribegawan", 1.0, "BN"),
    Cell("AE", None, BINA_KARYA, 0.375, "GULF"),
    Cell("QA", None, MITRA_SEJAHTERA, 0.375, "GULF"),
    Cell("KW", None, BINA_KARYA, 0.375, "GULF"),
    Cell("TR", None, MITRA_SEJAHTERA, 0.375, "GULF"),
)


def quotas(total: int, shares: Sequence[float]) -> list[int]:
    """Split ``total`` by ``shares`` exactly (largest remainder), so small loads keep shape."""
    whole = sum(shares)
    exact = [total * s / whole for s in shares]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


# --------------------------------------------------------------------------------------
# Who goes where: per-destination profiles
# --------------------------------------------------------------------------------------


class Weighted:
    """A weighted choice drawn with one random number (rng.choices is slower per call)."""

    __slots__ = ("values", "cumulative")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [v for v, _ in pairs]
        total = sum(w for _, w in pairs)
        running = 0.0
        self.cumulative: list[float] = []
        for _, w in pairs:
            running += w / total
            self.cumulative.append(running)
        self.cumulative[-1] = 1.0

    def pick_with(self, roll: float) -> Any:
        """The value for a uniform ``roll`` in [0, 1)."""
        return self.values[bisect.bisect_right(self.cumulative, roll)]


S = JobSector
# P(female | sector) unless a profile says otherwise; tuned so that the whole demo is
# about 65% women (the brief: 62-69%).
FEMALE_BY_SECTOR: dict[JobSector, float] = {
    S.DOMESTIC_WORKER: 0.97,
    S.CAREGIVER: 0.93,
    S.HOSPITALITY: 0.6,
    S.MANUFACTURING: 0.42,
    S.PLANTATION: 0.2,
    S.CONSTRUCTION: 0.03,
    S.FISHERY: 0.0,
    S.OTHER: 0.35,
}


@dataclass(frozen=True, slots=True)
class Profile:
    sectors: Weighted
    schemes: Weighted
    months: Weighted  # contract length
    phone: str  # key of FOREIGN_PHONES
    female: dict[JobSector, float] = field(default_factory=dict)

    def female_share(self, sector: JobSector) -> float:
        return self.female.get(sector, FEMALE_BY_SECTOR[sector])


P = PlacementScheme
_AGENCY = Weighted([(P.PRIVATE_AGENCY, 0.9), (P.INDIVIDUAL, 0.1)])
_MOSTLY_24 = Weighted([(24, 0.8), (12, 0.1), (18, 0.05), (36, 0.05)])
PROFILES: dict[str, Profile] = {
    # Hong Kong, Macau and Singapore: about 95% female domestic workers.
    "HK": Profile(
        Weighted([(S.DOMESTIC_WORKER, 0.93), (S.CAREGIVER, 0.04), (S.HOSPITALITY, 0.02),
                  (S.OTHER, 0.01)]),
        _AGENCY, _MOSTLY_24, "HK",
    ),
    "SG": Profile(
        Weighted([(S.DOMESTIC_WORKER, 0.93), (S.CAREGIVER, 0.04), (S.MANUFACTURING, 0.02),
                  (S.OTHER, 0.01)]),
        _AGENCY, _MOSTLY_24, "SG",
    ),
    # Taiwan: home caregivers above all, factories and fishing boats; 3-year contracts.
    "TW": Profile(
        Weighted([(S.CAREGIVER, 0.53), (S.MANUFACTURING, 0.29), (S.FISHERY, 0.1),
                  (S.DOMESTIC_WORKER, 0.04), (S.CONSTRUCTION, 0.02), (S.OTHER, 0.02)]),
        Weighted([(P.PRIVATE_AGENCY, 0.95), (P.INDIVIDUAL, 0.05)]),
        Weighted([(36, 0.65), (24, 0.25), (12, 0.1)]), "TW",
        {S.MANUFACTURING: 0.35},
    ),
    "MY_PENINSULAR": Profile(
        Weighted([(S.MANUFACTURING, 0.38), (S.DOMESTIC_WORKER, 0.25), (S.HOSPITALITY, 0.14),
                  (S.CONSTRUCTION, 0.06), (S.OTHER, 0.17)]),
        _AGENCY, _MOSTLY_24, "MY",
    ),
    # Sabah and Sarawak: about 70% men, plantations first.
    "MY_BORNEO": Profile(
        Weighted([(S.PLANTATION, 0.45), (S.MANUFACTURING, 0.15), (S.DOMESTIC_WORKER, 0.1),
                  (S.CONSTRUCTION, 0.08), (S.HOSPITALITY, 0.05), (S.OTHER, 0.17)]),
        Weighted([(P.PRIVATE_AGENCY, 0.75), (P.INDIVIDUAL, 0.25)]),
        _MOSTLY_24, "MY",
        {S.MANUFACTURING: 0.35, S.OTHER: 0.3, S.HOSPITALITY: 0.5},
    ),
    # Korea: the government-to-government EPS scheme, about 95% men.
    "KR": Profile(
        Weighted([(S.MANUFACTURING, 0.75), (S.FISHERY, 0.17), (S.CONSTRUCTION, 0.05),
                  (S.OTHER, 0.03)]),
        Weighted([(P.GOVERNMENT, 0.95), (P.PRIVATE_AGENCY, 0.05)]),
        Weighted([(36, 0.8), (24, 0.1), (18, 0.1)]), "KR",
        {s: 0.05 for s in JobSector},
    ),
    # Japan: mostly G-to-G (EPA caregivers, interns).
    "JP": Profile(
        Weighted([(S.MANUFACTURING, 0.4), (S.CAREGIVER, 0.3), (S.CONSTRUCTION, 0.08),
                  (S.HOSPITALITY, 0.1), (S.FISHERY, 0.05), (S.OTHER, 0.07)]),
        Weighted([(P.GOVERNMENT, 0.6), (P.PRIVATE_AGENCY, 0.37), (P.INDIVIDUAL, 0.03)]),
        Weighted([(36, 0.5), (24, 0.3), (12, 0.2)]), "JP",
        {S.MANUFACTURING: 0.3, S.CAREGIVER: 0.7},
    ),
    "GULF": Profile(
        Weighted([(S.DOMESTIC_WORKER, 0.75), (S.HOSPITALITY, 0.1), (S.OTHER, 0.15)]),
        _AGENCY, _MOSTLY_24, "GULF",
    ),
    "IT": Profile(
        Weighted([(S.CAREGIVER, 0.6), (S.DOMESTIC_WORKER, 0.2), (S.HOSPITALITY, 0.15),
                  (S.OTHER, 0.05)]),
        _AGENCY, _MOSTLY_24, "IT",
    ),
    "BN": Profile(
        Weighted([(S.DOMESTIC_WORKER, 0.45), (S.CONSTRUCTION, 0.15), (S.PLANTATION, 0.1),
                  (S.HOSPITALITY, 0.1), (S.OTHER, 0.2)]),
        _AGENCY, _MOSTLY_24, "BN",
    ),
}

# --------------------------------------------------------------------------------------
# Names, places, employers, phones
# --------------------------------------------------------------------------------------

FEMALE_FIRST = (
    "Siti Sri Dewi Nur Ani Yuli Rina Endang Tri Eka Dwi Lina Sari Ratna Fitri Yanti Nurul "
    "Rini Suci Ika Maya Indah Puji Umi Erna Novi Wulan Kartini Ayu Nining Halimah Aminah "
    "Juariyah Mariam Sumiati Baiq Tuti Wiwik Yayuk Kusmini"
).split()
MALE_FIRST = (
    "Ahmad Muhammad Agus Budi Eko Joko Slamet Bambang Hendra Andi Rudi Dedi Yusuf Hasan Imam "
    "Arif Wahyu Rahmat Adi Fajar Hadi Iwan Sugeng Teguh Yanto Zainal Lalu Sahrul Ridwan "
    "Nanang Heri Asep Ujang Firman Gilang Samsul Rohman Supri Dodi"
).split()
FEMALE_LAST = (
    "Rahmawati Wahyuni Lestari Rahayu Handayani Susanti Purwanti Kusumawati Maryani Fitriani "
    "Setiawati Yuliani Hidayati Nurhayati Suryani Marlina Permatasari Anggraini Ningsih "
    "Astuti Safitri Wulandari Puspitasari Kurniasih"
).split()
MALE_LAST = (
    "Santoso Wijaya Saputra Setiawan Hidayat Nugroho Pratama Kurniawan Gunawan Susanto "
    "Prasetyo Firmansyah Hakim Syahputra Ramadhan Hermawan Suryadi Wibowo Hartono Purnomo "
    "Maulana Sudarsono Fauzi Mulyadi"
).split()
FAMILY_NAMES = (
    "Harahap Siregar Nasution Lubis Simanjuntak Sitompul Daulay Pohan Manurung Sinaga "
    "Tanjung Hutapea"
).split()

# Towns of birth by province code; the big sending regencies first.
BIRTH_PLACES: dict[str, tuple[str, ...]] = {
    "35": ("Malang", "Blitar", "Tulungagung", "Banyuwangi", "Jember", "Ponorogo", "Kediri",
           "Madiun", "Trenggalek"),
    "33": ("Cilacap", "Banyumas", "Kendal", "Brebes", "Pati", "Grobogan", "Wonosobo",
           "Kebumen"),
    "32": ("Indramayu", "Cirebon", "Sukabumi", "Cianjur", "Karawang", "Subang", "Majalengka"),
    "52": ("Lombok Timur", "Lombok Tengah", "Lombok Barat", "Sumbawa", "Bima", "Dompu"),
    "18": ("Lampung Timur", "Lampung Tengah", "Lampung Selatan", "Pringsewu", "Metro"),
    "11": ("Banda Aceh", "Lhokseumawe", "Bireuen"),
    "12": ("Medan", "Deli Serdang", "Asahan", "Langkat"),
    "13": ("Padang", "Pariaman", "Bukittinggi"),
    "16": ("Palembang", "Ogan Ilir", "Lahat"),
    "31": ("Jakarta",),
    "36": ("Serang", "Tangerang", "Pandeglang"),
    "51": ("Denpasar", "Buleleng", "Karangasem"),
    "53": ("Kupang", "Flores Timur", "Ende", "Sikka"),
    "61": ("Pontianak", "Sambas", "Sanggau"),
    "64": ("Samarinda", "Balikpapan"),
    "73": ("Makassar", "Bone", "Pinrang"),
}

# Household employers: personal names as the employer signs the contract.
HOUSEHOLDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "HK": (("Chan", "Wong", "Lee", "Cheung", "Lau", "Ng", "Leung", "Ho", "Lam", "Tsang"),
           ("Ka Ming", "Wai Man", "Siu Fong", "Chi Keung", "Mei Ling", "Kwok Wah", "Yuk Lan")),
    "TW": (("Chen", "Lin", "Huang", "Chang", "Lee", "Wang", "Wu", "Liu", "Tsai", "Yang"),
           ("Chih-Ming", "Mei-Hua", "Shu-Fen", "Chun-Hung", "Ya-Ting", "Wen-Hsiung")),
    "SG": (("Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Koh"),
           ("Wei Ming", "Mei Ling", "Boon Huat", "Siew Lan", "Kok Leong", "Hui Min")),
    "MY": (("Ahmad bin", "Mohd bin", "Siti binti", "Tan", "Lim", "Wong", "Ismail bin"),
           ("Yusof", "Hassan", "Abdullah", "Ah Kow", "Mei Fong", "Osman")),
    "BN": (("Haji Ahmad bin", "Pengiran Hajah", "Awang", "Dayang"),
           ("Osman", "Noraini", "Abdul Rahman", "Siti Aminah")),
    "GULF": (("Abdullah Al-", "Mohammed Al-", "Fahad Al-", "Khalid Al-"),
             ("Harbi", "Otaibi", "Qahtani", "Mutairi", "Shammari", "Dosari")),
    "IT": (("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano"),
           ("Maria", "Giuseppe", "Anna", "Francesco", "Lucia")),
    "JP": (("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito"),
           ("Hiroshi", "Yoko", "Takeshi", "Keiko", "Kenji")),
    "KR": (("Kim", "Lee", "Park", "Choi", "Jung", "Kang"),
           ("Min-jun", "Seo-yeon", "Ji-ho", "Hyun-woo", "Eun-ji")),
}
COMPANY_PLACES: dict[str, tuple[tuple[str, ...], str]] = {
    "HK": (("Kowloon", "Tsuen Wan", "Kwun Tong", "Sha Tin", "Victoria"), "Limited"),
    "TW": (("Hsinchu", "Taichung", "Kaohsiung", "Tainan", "Changhua", "Taoyuan", "Pingtung"),
           "Co., Ltd."),
    "SG": (("Jurong", "Tuas", "Woodlands", "Changi", "Marina"), "Pte. Ltd."),
    "MY": (("Kinabalu", "Tawau", "Sandakan", "Miri", "Bintulu", "Klang", "Johor", "Penang",
            "Selangor"), "Sdn. Bhd."),
    "BN": (("Muara", "Tutong", "Belait", "Seria"), "Sdn. Bhd."),
    "GULF": (("Al Noor", "Al Safa", "Gulf Star", "Desert Rose", "Bosphorus"), "Est."),
    "IT": (("Milano", "Roma", "Napoli", "Torino"), "S.r.l."),
    "JP": (("Osaka", "Aichi", "Shizuoka", "Ibaraki", "Gunma"), "Co., Ltd."),
    "KR": (("Ansan", "Gimhae", "Hwaseong", "Changwon", "Busan"), "Co., Ltd."),
}
SECTOR_TRADES: dict[JobSector, tuple[str, ...]] = {
    S.MANUFACTURING: ("Precision Industry", "Electronics", "Textile", "Metal Works",
                      "Plastics", "Food Industries", "Auto Parts"),
    S.PLANTATION: ("Palm Oil Plantation", "Agro Plantation", "Estate", "Oil Palm Holdings"),
    S.CONSTRUCTION: ("Construction", "Engineering Works", "Builders", "Civil Works"),
    S.FISHERY: ("Fishery", "Ocean Fishing", "Marine Products", "Deep Sea Fishing"),
    S.HOSPITALITY: ("Hotel", "Restaurant Group", "Resort", "Catering"),
    S.CAREGIVER: ("Care Home", "Nursing Centre", "Elderly Care Services"),
    S.DOMESTIC_WORKER: ("Household Services",),
    S.OTHER: ("Logistics", "Services", "Trading", "Cleaning Services"),
}
# (country code, first digits, number of further digits) of mobile numbers, by profile phone.
FOREIGN_PHONES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "HK": (("852", "5", 7), ("852", "6", 7), ("852", "9", 7)),
    "TW": (("886", "9", 8),),
    "SG": (("65", "8", 7), ("65", "9", 7)),
    "MY": (("60", "11", 8), ("60", "12", 7), ("60", "16", 7), ("60", "19", 7)),
    "KR": (("82", "10", 8),),
    "JP": (("81", "80", 8), ("81", "90", 8)),
    "GULF": (("966", "5", 8), ("971", "5", 8)),
    "IT": (("39", "3", 9),),
    "BN": (("673", "8", 6), ("673", "7", 6)),
}
INDONESIAN_MOBILE = ("811", "812", "813", "821", "822", "823", "852", "853", "814", "815",
                     "816", "855", "856", "857", "858", "817", "818", "819", "859", "877",
                     "878", "831", "838", "881", "882", "895", "896", "897", "898", "899")

HEIR_RELATIONS = Weighted([
    (HeirRelation.SPOUSE_OR_CHILD, 0.6), (HeirRelation.BLOOD_RELATIVE, 0.3),
    (HeirRelation.SIBLING, 0.08), (HeirRelation.PARENT_IN_LAW, 0.02),
])
JHT_MONTHLY = Weighted(list(zip(JHT_MONTHLY_OPTIONS, (40, 30, 15, 7, 4, 2, 2), strict=True)))

# Placement statuses within each phase (BEFORE: candidates; DURING: abroad).
BEFORE_STATUSES = Weighted([(PlacementStatus.CANDIDATE, 0.93),
                            (PlacementStatus.FAILED_DEPARTURE, 0.07)])
DURING_STATUSES = Weighted([
    (PlacementStatus.DEPARTED, 0.88), (PlacementStatus.ON_LEAVE, 0.04),
    (PlacementStatus.TERMINATED, 0.05), (PlacementStatus.MISSING, 0.027),
    (PlacementStatus.DECEASED, 0.003),
])
REASONS: dict[PlacementStatus, tuple[str, ...]] = {
    PlacementStatus.DEPARTED: ("Departure recorded at the airport",
                               "Departure confirmed by the placement agency",
                               "Departure recorded from the SISKOP2MI manifest"),
    PlacementStatus.FAILED_DEPARTURE: ("Medical check not passed", "Visa refused",
                                       "Employer cancelled the job order",
                                       "Candidate withdrew before departure"),
    PlacementStatus.ON_LEAVE: ("Home leave between contract years", "Annual leave in Indonesia",
                               "Leave for a family emergency"),
    PlacementStatus.TERMINATED: ("Employer ended the contract early",
                                 "Contract terminated after a dispute",
                                 "Employer passed away; contract ended"),
    PlacementStatus.MISSING: ("Employer reported the worker absent",
                              "No contact for more than 30 days",
                              "Reported missing by family"),
    PlacementStatus.DECEASED: ("Death reported by the employer", "Death reported by the mission",
                               "Work accident; death confirmed by the hospital"),
}

# --------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------

WORKER_COLUMNS: tuple[str, ...] = (
    "id", "partner_id", "nik_digest", "nik_sealed", "full_name", "birth_date", "birth_place",
    "gender", "passport_digest", "passport_sealed", "family_card_digest", "family_card_sealed",
    "phone", "destination_country", "destination_region", "employer_name", "employer_type",
    "job_sector", "placement_scheme", "placement_status", "phase", "status", "contract_start",
    "contract_end", "departed_on", "returned_on", "covered_until", "heirs", "siskop2mi_id",
    "kpj_number", "version", "registered_at", "updated_at",
)
# A chunk numbers its contributions from 0; the writer adds the chunk's offset (_write).
CONTRIBUTION_COLUMNS: tuple[str, ...] = (
    "id", "worker_id", "kind", "amount", "months", "paid_on", "covers_from", "covers_until",
    "recorded_at", "recorded_by",
)
# Coverage and event ids are the database's: nothing refers to them, and rows are numbered
# in insertion order, so each worker's events are numbered in the order they happened.
COVERAGE_COLUMNS: tuple[str, ...] = (
    "worker_id", "contribution_id", "program", "starts_on", "ends_on",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "partner_id", "worker_id", "type", "occurred_at", "actor", "reason", "changes",
    "request_id",
)
# In foreign-key order; events last, after the rows they describe (models.event_log).
WORKERS, CONTRIBUTIONS, COVERAGES, EVENTS = range(4)
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("worker", WORKER_COLUMNS),
    ("contribution", CONTRIBUTION_COLUMNS),
    ("coverage", COVERAGE_COLUMNS),
    ("worker_event", EVENT_COLUMNS),
)
# What Tortoise's JSONField writes (compact separators).
_dumps = json.JSONEncoder(separators=(",", ":")).encode

Row = tuple[Any, ...]


@dataclass(slots=True)
class Chunk:
    """One chunk's rows per table (TABLES order), as the database stores them.

    Dates and instants are ISO text (exactly what Tortoise's SQLite adapters write), JSON
    compact text. For PostgreSQL the worker and event tables come as COPY text, so the
    parent process only streams them.
    """

    number: int
    workers: int
    contributions: int
    rows: list[list[Row]]
    copy: dict[int, bytes] = field(default_factory=dict)
    packed: bytes = b""  # ``rows`` in marshal form, between processes


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a chunk needs to be generated in any process, deterministically."""

    seed: int
    workers: int
    first_worker_id: int
    today: date
    latest: datetime  # no event may be later than the moment the load started
    cells: bytes  # cell index of each worker
    during: bytes  # 1 when the worker is abroad (phase DURING)
    partner_ids: dict[str, int]
    postgres: bool
    chunk_size: int = CHUNK


def copy_text(rows: Sequence[Row]) -> bytes:
    """Rows in PostgreSQL's COPY text format (tab-separated, \\N for NULL)."""
    if not rows:
        return b""
    text = "\n".join([
        "\t".join([v if v.__class__ is str else "\\N" if v is None else str(v) for v in row])
        for row in rows
    ])
    if "\\" in text.replace("\\N", ""):
        # Validated fields hold no tabs or newlines (whitespace is collapsed), so only a
        # backslash (from a JSON escape) needs COPY's escaping: then take the slow path.
        text = "\n".join([
            "\t".join(["\\N" if v is None else str(v).replace("\\", "\\\\") for v in row])
            for row in rows
        ])
    return (text + "\n").encode()


# --------------------------------------------------------------------------------------
# Dates, times and event changes
# --------------------------------------------------------------------------------------

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000
_JAKARTA_US = 7 * _HOUR_US  # Asia/Jakarta is UTC+7 all year
_OFFICE_OPENS_US, _OFFICE_HOURS_US = 8 * _HOUR_US, 9 * _HOUR_US  # 08:00-17:00 in Jakarta
_SWEEP_AT_US, _SWEEP_SPREAD_US = 300_000_000, 2_100_000_000  # the nightly sweep, 00:05-00:40
_day = date.fromordinal
# Instants are whole microseconds since 1970 (UTC) while generating: cheap to compare and
# shift; they become text only when a row is built, from these tables.


class _DayTexts(dict[int, str]):
    """ISO text of a date by its ordinal, computed once per day."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = _day(ordinal).isoformat()
        return text


_DAY_TEXT = _DayTexts()
_CLOCK_TEXT = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60)
               for s in range(60)]


def instant_text(us: int) -> str:
    """What ``datetime.isoformat(" ")`` gives for this UTC instant, as Tortoise stores it."""
    day, rest = divmod(us, _DAY_US)
    seconds, micro = divmod(rest, 1_000_000)
    if micro:
        return f"{_DAY_TEXT[day + _EPOCH_ORDINAL]} {_CLOCK_TEXT[seconds]}.{micro:06d}+00:00"
    return f"{_DAY_TEXT[day + _EPOCH_ORDINAL]} {_CLOCK_TEXT[seconds]}+00:00"


def instant_of(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _midnight_jakarta(ordinal: int) -> int:
    return (ordinal - _EPOCH_ORDINAL) * _DAY_US - _JAKARTA_US


def _json_value(v: str | None) -> str:
    return "null" if v is None else f'"{v}"'


def changes_json(*fields: tuple[str, str | None, str | None]) -> str:
    """``{field: {from, to}}`` as models.worker_changes writes it (for plain ASCII values)."""
    return "{" + ",".join(
        f'"{name}":{{"from":{_json_value(old)},"to":{_json_value(new)}}}'
        for name, old, new in fields
    ) + "}"


_REGISTERED_CHANGES = changes_json(
    ("placementStatus", None, PlacementStatus.CANDIDATE.value),
    ("status", None, MembershipStatus.REGISTERED.value),
)
_EXPIRED_CHANGES = changes_json(("status", "ACTIVE", "EXPIRED"))

# Enum values as plain strings, looked up once.
_REGISTERED = WorkerEventType.REGISTERED.value
_CONTRIBUTION_RECORDED = WorkerEventType.CONTRIBUTION_RECORDED.value
_PLACEMENT_CHANGED = WorkerEventType.PLACEMENT_STATUS_CHANGED.value
_MEMBERSHIP_CHANGED = WorkerEventType.MEMBERSHIP_STATUS_CHANGED.value
_ACTIVE, _EXPIRED, _CLOSED = "ACTIVE", "EXPIRED", "CLOSED"
_PRE, _PLACEMENT, _JHT = (ContributionKind.PRE_PLACEMENT, ContributionKind.PLACEMENT,
                          ContributionKind.JHT)
_CANDIDATE, _DEPARTED, _DECEASED, _FAILED = (
    PlacementStatus.CANDIDATE, PlacementStatus.DEPARTED, PlacementStatus.DECEASED,
    PlacementStatus.FAILED_DEPARTURE,
)
# Facts on the same day: payments first, then status changes, then JHT top-ups.
_PAY, _PLACE, _LATE_PAY = 1, 2, 3
_HEIR_COUNTS = (0, 1, 1, 1, 1, 2)
_by_day = itemgetter(0, 1)


def _nik_parts(index: int) -> tuple[int, int, int]:
    """(regency, district, serial) unique per index: NIKs cannot collide by construction.

    A multiplicative bijection scatters consecutive workers over 79 regencies x districts
    90-99 x serials 9000-9999 (the synthetic ranges of models.synthetic), then lower serial
    blocks, so up to 7,110,000 workers get distinct triples.
    """
    space = 79 * 10 * 1000 * 9
    if index >= space:
        raise ValueError(f"at most {space:,} demo workers have unique synthetic NIKs")
    k = (index * 48_271 + 12_345) % space  # 48,271 is prime and does not divide the space
    serial, k = k % 1000, k // 1000
    district, k = 90 + k % 10, k // 10
    regency, block = 1 + k % 79, k // 79
    return regency, district, 9000 + serial - 1000 * block


@dataclass(frozen=True, slots=True)
class _Paid:
    """A quote from models.coverage, with the text forms of its dates."""

    kind: str
    amount: int
    months: int
    programs: tuple[str, ...]
    starts: str
    ends: str
    ends_ordinal: int
    covers_jkk: bool
    reason_tail: str


class _Generator:
    """Builds the rows of chunks, each from its own seeded random stream.

    Written for speed, since it is most of the load's time: random numbers come from
    ``rng.random()`` scaled by hand, dates are ordinals, instants integer microseconds,
    JSON comes from f-strings.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.contribution = 0  # chunk-local contribution id
        self.today_ord = plan.today.toordinal()
        self.latest = instant_of(plan.latest)
        self.cell_partner = [plan.partner_ids[c.owner] for c in CELLS]
        self.cell_profile = [PROFILES[c.profile] for c in CELLS]
        self.agency_cell = [
            c.owner in (BINA_KARYA, MITRA_SEJAHTERA) and c.profile not in ("KR", "JP")
            for c in CELLS
        ]
        # A pre-placement quote depends on the payment day only.
        self.pre_quotes: dict[int, _Paid] = {}

    def chunk(self, number: int) -> Chunk:
        """Chunk ``number``: its content depends on the seed and the number only."""
        rng = random.Random(self.plan.seed * 1_000_003 + number)
        tables: list[list[Row]] = [[], [], [], []]
        first = number * self.plan.chunk_size
        last = min(first + self.plan.chunk_size, self.plan.workers)
        self.contribution = 0
        for index in range(first, last):
            self._worker(rng, index, tables)
        chunk = Chunk(number, last - first, self.contribution, tables)
        if self.plan.postgres:
            for table in (WORKERS, EVENTS):  # final already: no offsets to add
                chunk.copy[table] = copy_text(tables[table])
                tables[table] = []
        return chunk

    # -- the pieces of one worker ------------------------------------------------------

    @staticmethod
    def _name(r: Callable[[], float], female: bool) -> str:
        first, last = (FEMALE_FIRST, FEMALE_LAST) if female else (MALE_FIRST, MALE_LAST)
        roll = r()
        if roll < 0.08:  # one-word names are common in Java
            return last[int(r() * len(last))]
        given = first[int(r() * len(first))]
        if roll < 0.25:
            given = f"{given} {first[int(r() * len(first))]}"
        family = FAMILY_NAMES if roll > 0.93 else last
        return f"{given} {family[int(r() * len(family))]}"

    @staticmethod
    def _phone(r: Callable[[], float], profile: Profile | None) -> str:
        if profile is not None and r() < 0.4:
            options = FOREIGN_PHONES[profile.phone]
            country, lead, digits = options[int(r() * len(options))]
            low = 10 ** (digits - 1)
            return f"+{country}{lead}{low + int(r() * 9 * low)}"
        return (f"+62{INDONESIAN_MOBILE[int(r() * len(INDONESIAN_MOBILE))]}"
                f"{10**7 + int(r() * 9 * 10**7)}")

    @staticmethod
    def _employer(r: Callable[[], float], profile: Profile, sector: JobSector,
                  household: bool) -> str:
        if household:
            surnames, given = HOUSEHOLDS[profile.phone]
            surname = surnames[int(r() * len(surnames))]
            joiner = "" if surname.endswith("-") else " "
            return f"{surname}{joiner}{given[int(r() * len(given))]}"
        places, suffix = COMPANY_PLACES[profile.phone]
        trades = SECTOR_TRADES[sector]
        return f"{places[int(r() * len(places))]} {trades[int(r() * len(trades))]} {suffix}"

    def _heirs(self, r: Callable[[], float]) -> list[dict[str, Any]]:
        heirs: list[dict[str, Any]] = []
        for _ in range(_HEIR_COUNTS[int(r() * len(_HEIR_COUNTS))]):
            heir: dict[str, Any] = {
                "fullName": self._name(r, r() < 0.5),
                "relation": HEIR_RELATIONS.pick_with(r())._value_,
            }
            if r() < 0.6:
                heir["phone"] = self._phone(r, None)
            heirs.append(heir)
        return heirs

    def _quote(self, kind: ContributionKind, paid: int, start: date, end: date,
               departed: int | None, jht: tuple[int, int] | None = None) -> _Paid:
        cached = self.pre_quotes.get(paid) if kind is _PRE else None
        if cached is not None:
            return cached
        paid_on = _day(paid)
        q = quote(kind, paid_on=paid_on, contract_start=start, contract_end=end,
                  departed_on=None if departed is None else _day(departed),
                  months=jht and jht[0], jht_monthly=jht and jht[1])
        w = q.window
        result = _Paid(
            q.kind._value_, q.amount, q.months, tuple(p._value_ for p in w.programs),
            _DAY_TEXT[w.starts_on.toordinal()], _DAY_TEXT[w.ends_on.toordinal()],
            w.ends_on.toordinal(), Program.JKK in w.programs,
            f" contribution of Rp{q.amount:,} paid on {_DAY_TEXT[paid]}",
        )
        if kind is _PRE:
            self.pre_quotes[paid] = result
        return result

    # -- one worker --------------------------------------------------------------------

    def _worker(self, rng: random.Random, index: int, tables: list[list[Row]]) -> None:
        r = rng.random
        t = self.today_ord
        plan = self.plan
        cell_index = plan.cells[index]
        cell = CELLS[cell_index]
        profile = self.cell_profile[cell_index]
        partner_id = self.cell_partner[cell_index]
        abroad = plan.during[index] == 1
        placement: PlacementStatus = (DURING_STATUSES if abroad else BEFORE_STATUSES).pick_with(r())
        sector: JobSector = profile.sectors.pick_with(r())
        female = r() < profile.female_share(sector)
        months: int = profile.months.pick_with(r())

        # The story's days (ordinals), oldest first: (day, priority, what).
        timeline: list[tuple[int, int, Any]] = []
        clip = 0  # the day cover ended early (failed departure, death), or 0
        departed = 0
        if not abroad:
            if placement is _CANDIDATE:
                stale = r() < 0.22
                registered = t - (151 + int(r() * 390) if stale else 1 + int(r() * 150))
                start = t + 10 + int(r() * 190)
                if r() < 0.88:
                    paid = min(t - 1, registered + int(r() * 11))
                    timeline.append((paid, _PAY, _PRE))
                    # After 5 months without departing, a candidate must pay again.
                    if stale and r() < 0.45:
                        again = t - 1 - int(r() * 120)
                        if again > add_months(_day(paid), 5).toordinal():
                            timeline.append((again, _PAY, _PRE))
            else:
                registered = t - 30 - int(r() * 690)
                failed = min(t - 1, registered + 20 + int(r() * 180))
                start = failed + 20 + int(r() * 70)
                if r() < 0.92:
                    timeline.append((min(failed, registered + int(r() * 11)), _PAY, _PRE))
                timeline.append((failed, _PLACE, placement))
                clip = failed
        else:
            departed = t - 3 - int(r() * (3 * 365 - 153))
            registered = departed - 20 - int(r() * 120)
            start = departed - int(r() * 11)
            if r() < PRE_PAID_ABROAD:
                paid = registered + int(r() * 8)
                timeline.append((paid, _PAY, _PRE))
                timeline.append((max(paid, departed - int(r() * 11)), _PAY, _PLACEMENT))
            else:
                timeline.append((departed, _PAY, _PLACEMENT))
            timeline.append((departed, _PLACE, _DEPARTED))
            if r() < 0.15 and departed + 2 <= t:
                timeline.append((min(t - 1, departed + 1 + int(r() * 60)), _LATE_PAY,
                                 (min(months, 60), JHT_MONTHLY.pick_with(r()))))
        start_day = _day(start)
        end_day = add_months(start_day, months) - timedelta(days=1)
        if abroad:
            end = end_day.toordinal()
            placement, when = self._fate(r, placement, departed, end,
                                         add_months(end_day, 1).toordinal())
            if when:
                timeline.append((when, _PLACE, placement))
                if placement is _DECEASED:
                    clip = when
                    # Nothing is paid for a worker after the death.
                    timeline = [f for f in timeline if f[0] < when or f[1] != _LATE_PAY]
        timeline.sort(key=_by_day)  # stable: same-day facts keep their order

        # Identity and placement, as a partner would send them to registerWorker.
        registered_day = _day(registered)
        gender = Gender.FEMALE if female else Gender.MALE
        age = min(54, max(18, int(rng.gauss(31, 7))))
        born = _day(registered - int(age * 365.2425) - 2 - int(r() * 361))
        province = home_province(rng)
        regency, district, serial = _nik_parts(index)
        nik = make_nik(rng, born, gender, province, serial, regency, district)
        household = profile.phone != "JP" and (
            sector is S.DOMESTIC_WORKER or (sector is S.CAREGIVER and r() < 0.85)
        )
        employer_type = (
            EmployerType.HOUSEHOLD if household
            else EmployerType.SHIP_CREW if sector is S.FISHERY and r() < 0.8
            else EmployerType.COMPANY
        )
        places = BIRTH_PLACES[province]
        raw: dict[str, Any] = {
            "nik": nik,
            "fullName": self._name(r, female),
            "birthDate": born,
            "gender": gender._value_,
            "birthPlace": places[int(r() * len(places))],
            # A bijection of the index: passports are unique by design, like NIKs.
            "passportNumber": make_passport(
                rng, (index * 7_368_787 + 1_234_567) % PASSPORT_SERIALS
            ),
            "phone": self._phone(r, profile if abroad else None) if r() < 0.93 else None,
            "destinationCountry": cell.country,
            "destinationRegion": cell.region,
            "employerName": self._employer(r, profile, sector, household),
            "employerType": employer_type._value_,
            "jobSector": sector._value_,
            "placementScheme": (
                P.PRIVATE_AGENCY._value_ if self.agency_cell[cell_index]
                else profile.schemes.pick_with(r())._value_
            ),
            "contractStart": start_day,
            "contractEnd": end_day,
            "heirs": self._heirs(r),
        }
        if r() < 0.7:
            issued = _day(born.toordinal() + 6570 + int(r() * 5000))
            raw["familyCardNumber"] = (
                f"{nik[:6]}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}"
                f"{1 + int(r() * 9999):04d}"
            )
        external: dict[str, str] = {}
        if r() < 0.75:
            external["siskop2miId"] = f"CPMI-{registered_day.year}-{int(r() * 10**7):07d}"
        if timeline and timeline[0][1] != _PLACE:
            # Paid members have a card number; a bijection of the index keeps it unique.
            external["kpjNumber"] = f"2{(index * 7_919 + 104_729) % 10**10:010d}"
        if external:
            raw["externalIds"] = external
        # Validated as of the registration day: the age rule applies at registration.
        clean = worker_input.validate(raw, today=registered_day)
        registered_at = (_midnight_jakarta(registered) + _OFFICE_OPENS_US
                         + int(r() * _OFFICE_HOURS_US))
        registered_text = instant_text(registered_at)
        row = worker_row(partner_id, clean, registered_text)

        worker_id = plan.first_worker_id + index
        status, covered, last_at, version, phase = self._story(
            r, tables, worker_id, partner_id, registered_at, registered_text, timeline, clip,
            start_day, end_day, departed,
        )
        get = row.get
        employer = get("employer_type")
        tables[0].append((
            worker_id, partner_id, row["nik_digest"], row["nik_sealed"], row["full_name"],
            _DAY_TEXT[born.toordinal()], get("birth_place"), gender._value_,
            get("passport_digest"), get("passport_sealed"), get("family_card_digest"),
            get("family_card_sealed"), get("phone"), row["destination_country"],
            get("destination_region"), get("employer_name"), employer and employer._value_,
            row["job_sector"]._value_, row["placement_scheme"]._value_, placement._value_, phase,
            status, _DAY_TEXT[start], _DAY_TEXT[end_day.toordinal()],
            _DAY_TEXT[departed] if departed else None, None,
            _DAY_TEXT[covered] if covered else None, _dumps(row["heirs"]),
            get("siskop2mi_id"), get("kpj_number"), version, registered_text, last_at,
        ))

    def _fate(self, r: Callable[[], float], placement: PlacementStatus, departed: int,
              end: int, cover_end: int) -> tuple[PlacementStatus, int]:
        """The day a worker abroad left DEPARTED (0: still DEPARTED)."""
        t = self.today_ord
        low, high = departed + 1, t - 1
        if placement is PlacementStatus.ON_LEAVE:
            low = max(low, t - 45)  # leave is short: it began recently
        elif placement is PlacementStatus.TERMINATED:
            low, high = departed + 30, min(high, end)
        elif placement is PlacementStatus.MISSING:
            low = departed + 30
        elif placement is _DECEASED:
            high = min(high, cover_end)  # deaths while covered
        else:
            return placement, 0
        if low > high:
            return _DEPARTED, 0
        return placement, low + int(r() * (high - low + 1))

    def _story(
        self,
        r: Callable[[], float],
        tables: list[list[Row]],
        worker_id: int,
        partner_id: int,
        registered_at: int,
        registered_text: str,
        timeline: list[tuple[int, int, Any]],
        clip: int,
        start: date,
        end: date,
        departed: int,
    ) -> tuple[str, int, str, int, str]:
        """Contributions, coverages and events in date order; returns the final state.

        Membership follows the brief and models.contribution_changes: REGISTERED until
        paid, ACTIVE from a JKK/JKM payment whose window covers its day, EXPIRED by the
        nightly sweep the day after the cover ends, CLOSED on death.
        Returns (status, covered_until ordinal or 0, last event's time, version, phase).
        """
        contributions, coverages, events = (
            tables[CONTRIBUTIONS], tables[COVERAGES], tables[EVENTS]
        )
        last = registered_at
        status = "REGISTERED"
        placement = _CANDIDATE
        phase = Phase.BEFORE
        covered = 0
        version = 1
        events.append((partner_id, worker_id, _REGISTERED, registered_text, ACTOR, None,
                       _REGISTERED_CHANGES, None))

        timeline.append((self.today_ord, 0, None))  # today: only the sweep may run
        for day, priority, what in timeline:
            if status == _ACTIVE and covered < day:
                # The sweep, just after midnight on the first day without cover.
                at = (_midnight_jakarta(covered + 1) + _SWEEP_AT_US
                      + int(r() * _SWEEP_SPREAD_US))
                last = max(min(at, self.latest), last + 1)
                events.append((partner_id, worker_id, _MEMBERSHIP_CHANGED,
                               instant_text(last), ACTOR,
                               f"Cover window ended on {_DAY_TEXT[covered]}", _EXPIRED_CHANGES,
                               None))
                status = _EXPIRED
                version += 1
            if what is None:
                break
            at = _midnight_jakarta(day) + _OFFICE_OPENS_US + int(r() * _OFFICE_HOURS_US)
            # Later on the same day as the previous event: a little after it.
            last = at if at > last else last + 60_000_000 + int(r() * 1_800_000_000)
            at_text = instant_text(last)
            if priority == _PLACE:
                target: PlacementStatus = what
                new_phase = phase_of(target, phase)
                fields: list[tuple[str, str | None, str | None]] = [
                    ("placementStatus", placement._value_, target._value_)
                ]
                if new_phase is not phase:
                    fields.append(("phase", phase._value_, new_phase._value_))
                if clip == day and covered > day:
                    # Cover ends early on failed departure or death.
                    fields.append(("coveredUntil", _DAY_TEXT[covered], _DAY_TEXT[day]))
                    covered = day
                if target is _DECEASED:
                    fields.append(("status", status, _CLOSED))
                    status = _CLOSED
                reasons = REASONS[target]
                events.append((partner_id, worker_id, _PLACEMENT_CHANGED, at_text, ACTOR,
                               reasons[int(r() * len(reasons))], changes_json(*fields), None))
                placement, phase = target, new_phase
            else:
                paid = (self._quote(_JHT, day, start, end, departed or None, what)
                        if priority == _LATE_PAY
                        else self._quote(what, day, start, end, departed or None))
                contribution_id = self.contribution
                self.contribution += 1
                contributions.append((contribution_id, worker_id, paid.kind, paid.amount,
                                      paid.months, _DAY_TEXT[day], paid.starts, paid.ends,
                                      at_text, ACTOR))
                # Coverage rows hold the cover as it ended: early on failed departure or death.
                cover_end = paid.ends if not clip or clip >= paid.ends_ordinal else _DAY_TEXT[clip]
                for program in paid.programs:
                    coverages.append((worker_id, contribution_id, program, paid.starts,
                                      cover_end))
                change = ""
                if paid.covers_jkk:
                    if paid.ends_ordinal > covered:
                        change = (f'"coveredUntil":{{"from":'
                                  f'{_json_value(_DAY_TEXT[covered] if covered else None)},'
                                  f'"to":"{paid.ends}"}}')
                        covered = paid.ends_ordinal
                    # ACTIVE when the new window covers the payment day (models.contribution_
                    # changes); a placement window starts at departure.
                    if status != _ACTIVE and paid.starts <= _DAY_TEXT[day]:
                        change += (f'{"," if change else ""}"status":'
                                   f'{{"from":"{status}","to":"ACTIVE"}}')
                        status = _ACTIVE
                events.append((partner_id, worker_id, _CONTRIBUTION_RECORDED, at_text, ACTOR,
                               paid.kind + paid.reason_tail, f"{{{change}}}", None))
            version += 1
        return status, covered, instant_text(last), version, phase._value_


# --------------------------------------------------------------------------------------
# Helper processes
# --------------------------------------------------------------------------------------

_child: _Generator | None = None


def _child_start(plan: Plan, keys: dict[str, bytes], current: str, hmac_key: bytes) -> None:
    global _child
    # The vault's AES objects do not pickle; the child builds its own from the raw keys.
    identifiers.configure(identifiers.IdentifierVault(keys, current, hmac_key))
    _child = _Generator(plan)


def _child_chunk(number: int) -> Chunk:
    assert _child is not None
    chunk = _child.chunk(number)
    # marshal reads tuples of text and numbers back three times faster than pickle, and
    # reading them is on the writing process's critical path.
    chunk.packed, chunk.rows = marshal.dumps(chunk.rows), []
    return chunk


def helper_processes(workers: int) -> int:
    """Processes that generate chunks while this one writes: none for small loads, where
    starting them costs more than they save; otherwise one per core."""
    if workers < PARALLEL_FROM:
        return 0
    return max(1, min(os.cpu_count() or 1, MAX_HELPERS))


async def _chunks(plan: Plan, helpers: int) -> AsyncIterator[Chunk]:
    """The chunks in order. Chunks do not depend on each other, so helpers can make them
    in any order; a few are kept in flight so that no helper waits."""
    count = (plan.workers + plan.chunk_size - 1) // plan.chunk_size
    done = 0
    if helpers:
        v = identifiers.vault()
        # spawn, not fork: this process has threads (aiosqlite's) that a fork would copy
        # in an unknown state.
        pool = ProcessPoolExecutor(
            max_workers=helpers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_child_start, initargs=(plan, dict(v.keys), v.current, v.hmac_key),
        )
        pending: list[Future[Chunk]] = []
        try:
            while done < count:
                while done + len(pending) < count and len(pending) <= helpers:
                    pending.append(pool.submit(_child_chunk, done + len(pending)))
                try:
                    chunk = await asyncio.wrap_future(pending.pop(0))
                except BrokenProcessPool:
                    if done:
                        raise
                    # A spawned process re-imports the main module; a script without an
                    # ``if __name__ == "__main__":`` guard cannot start one.
                    print("demo: helper processes did not start; generating in this one",
                          file=sys.stderr, flush=True)
                    break
                # Our own helper wrote these bytes a moment ago.
                chunk.rows, chunk.packed = marshal.loads(chunk.packed), b""  # noqa: S302
                done += 1
                yield chunk
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    local = _Generator(plan) if done < count else None
    for number in range(done, count):
        assert local is not None
        yield local.chunk(number)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _insert_sql(table: str, columns: Sequence[str], shifted: str | None, offset: int) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    # The chunk-local contribution ids become table ids here: ``offset`` is an int we
    # computed, so it is safe to write into the statement.
    marks = ", ".join(f"? + {offset}" if c == shifted else "?" for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'


def _shift(rows: list[Row], column: int, offset: int) -> list[Row]:
    return [(*row[:column], row[column] + offset, *row[column + 1:]) for row in rows]


async def _first_ids(conn: BaseDBAsyncClient, postgres: bool) -> tuple[int, int]:
    """The first free worker and contribution ids (the tables whose ids rows refer to).

    PostgreSQL: from the sequence, so no id handed out before (even to a rolled-back
    insert) is reused. SQLite: past both the rows and the AUTOINCREMENT counter.
    """
    firsts: list[int] = []
    for table in ("worker", "contribution"):
        if postgres:
            sql = f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS n"
            _, rows = await conn.execute_query(sql)
        else:
            sql = (f'SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), '
                   f'COALESCE((SELECT MAX(id) FROM "{table}"), 0)) + 1 AS n')
            _, rows = await conn.execute_query(sql, [table])
        firsts.append(int(rows[0]["n"]))
    return firsts[0], firsts[1]


async def _write(conn: BaseDBAsyncClient, postgres: bool, chunk: Chunk, offset: int) -> None:
    """Write one chunk; ``offset`` turns its contribution numbers into ids."""
    if postgres:
        # Tortoise's transaction wrapper holds the asyncpg connection it runs on.
        raw = conn._connection  # type: ignore[attr-defined]
        for number, (table, columns) in enumerate(TABLES):
            if number == CONTRIBUTIONS:
                data = copy_text(_shift(chunk.rows[number], 0, offset))
            elif number == COVERAGES:
                data = copy_text(_shift(chunk.rows[number], 1, offset))
            else:
                data = chunk.copy[number]
            if data:
                await raw.copy_to_table(table, source=io.BytesIO(data), columns=columns,
                                        format="text")
        return
    for number, (table, columns) in enumerate(TABLES):
        rows = chunk.rows[number]
        shifted = {CONTRIBUTIONS: "id", COVERAGES: "contribution_id"}.get(number)
        if rows:
            await conn.execute_many(_insert_sql(table, columns, shifted, offset), rows)


@dataclass(slots=True)
class _Deferred:
    """Secondary indexes (and on PostgreSQL foreign keys) set aside during a bulk load.

    Maintaining ten indexes row by row, most on random keys (digests, names), and on
    PostgreSQL checking four foreign keys per row through triggers, costs more than the
    inserts themselves; building each index once at the end, and validating each key
    with one join, is several times cheaper. Definitions are read from the catalog and
    restored verbatim in the same transaction, so a failed load rolls the schema back with
    the rows. Unique and primary-key indexes stay: they guard the data while it loads.
    """

    indexes: list[tuple[str, str]]
    foreign_keys: list[tuple[str, str, str]]

    @classmethod
    async def set_aside(cls, conn: BaseDBAsyncClient, postgres: bool) -> _Deferred:
        tables = [t for t, _ in TABLES]
        if not postgres:
            marks = ", ".join("?" for _ in tables)
            _, rows = await conn.execute_query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name", tables)
            deferred = cls([(r["name"], r["sql"]) for r in rows], [])
        else:
            # Nobody else may write these tables (or draw their ids) until we commit.
            await conn.execute_query(
                "LOCK TABLE " + ", ".join(f'"{t}"' for t in tables) + " IN EXCLUSIVE MODE")
            _, indexes = await conn.execute_query(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = ANY($1::text[]) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint) "
                "ORDER BY indexname", [tables])
            _, keys = await conn.execute_query(
                "SELECT conrelid::regclass::text AS tbl, conname, "
                "pg_get_constraintdef(oid) AS definition FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY($1::regclass[]) ORDER BY conname",
                [tables])
            deferred = cls([(r["indexname"], r["indexdef"]) for r in indexes],
                           [(r["tbl"], r["conname"], r["definition"]) for r in keys])
        # execute_query, never execute_script: on SQLite a script commits first.
        for table, name, _ in deferred.foreign_keys:
            await conn.execute_query(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in deferred.indexes:
            await conn.execute_query(f'DROP INDEX "{name}"')
        return deferred

    async def restore(self, conn: BaseDBAsyncClient) -> None:
        for _, definition in self.indexes:
            await conn.execute_query(definition)
        for table, name, definition in self.foreign_keys:
            await conn.execute_query(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


async def _fix_sequences(conn: BaseDBAsyncClient, next_worker: int, next_contribution: int
                         ) -> None:
    """Point the PostgreSQL sequences of the explicitly numbered tables past the ids used,
    so the app's inserts follow on (coverage and event rows took theirs from the
    sequences already)."""
    for table, value in (("worker", next_worker), ("contribution", next_contribution)):
        # is_called=false: the next nextval() returns exactly ``value``.
        await conn.execute_query(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1, false)", [value]
        )


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------


async def demo_loaded() -> bool:
    return await Partner.exists()


def _plan(workers: int, seed: int, first_worker_id: int, latest: datetime,
          partner_ids: dict[str, int], postgres: bool) -> Plan:
    """Who goes where and who is abroad: exact quotas, shuffled with the seed."""
    rng = random.Random(seed)
    cells = bytearray()
    for i, count in enumerate(quotas(workers, [c.share for c in CELLS])):
        cells += bytes([i]) * count
    rng.shuffle(cells)
    before = before_count(workers)
    during = bytearray(before) + b"\x01" * (workers - before)
    rng.shuffle(during)
    return Plan(seed, workers, first_worker_id, today_jakarta(latest), latest, bytes(cells),
                bytes(during), partner_ids, postgres)


async def _partner_keys(partner: Partner) -> dict[str, str]:
    keys: dict[str, str] = {}
    for label, role in (("admin", Role.PARTNER_ADMIN), ("officer", Role.PARTNER_OFFICER),
                        ("viewer", Role.PARTNER_VIEWER)):
        issued = await api_keys.issue(partner, f"demo {label}", role, ROLE_SCOPES[role])
        keys[label] = issued.secret
    return keys


def _progress(done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed > 0 else 0.0
    print(f"demo: {done:,}/{total:,} workers ({done * 100 // max(total, 1)}%), "
          f"{rate:,.0f} workers/s", file=sys.stderr, flush=True)


async def load_demo(workers: int, seed: int, progress: bool, *,
                    helpers: int | None = None) -> dict[str, Any]:
    """Create the demo partners, operator, API keys and ``workers`` workers; return the keys.

    Needs a migrated, open database and a configured identifier vault. Everything is
    written in one transaction. Raises DemoAlreadyLoaded when any partner exists.
    ``helpers``: generator processes (default: helper_processes(workers); 0 = none).
    """
    if workers < 0:
        raise ValueError("workers must be 0 or more")
    started = time.perf_counter()
    async with in_transaction() as conn:
        postgres = event_log.is_postgres(conn)
        if await Partner.exists(using_db=conn):
            raise DemoAlreadyLoaded()
        operator = await create_partner(code=OPERATOR.code, name=OPERATOR.name,
                                        kind=OPERATOR.kind, country=OPERATOR.country)
        operator_key = await api_keys.issue(operator, "demo operator", Role.OPERATOR,
                                            ROLE_SCOPES[Role.OPERATOR])
        partners: dict[str, Partner] = {}
        for spec in PARTNERS:
            partners[spec.code] = await create_partner(
                code=spec.code, name=spec.name, kind=spec.kind, country=spec.country,
                region=spec.region,
            )
        keys = {code: await _partner_keys(p) for code, p in partners.items()}

        # Take the commit-order lock before any event is written (models.event_log).
        await event_log.lock_event_order(conn)
        deferred = await _Deferred.set_aside(conn, postgres) if workers else None
        first_worker, next_contribution = await _first_ids(conn, postgres)
        cache_size = None
        if not postgres:
            # Ten indexes take random keys (digests, names): with SQLite's default 2 MiB
            # page cache most inserts would read and rewrite index pages again and again.
            _, rows = await conn.execute_query("PRAGMA cache_size")
            cache_size = int(rows[0][0])
            await conn.execute_query(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        plan = _plan(workers, seed, first_worker, now(),
                     {c: p.id for c, p in partners.items()}, postgres)
        done, waited, wrote = 0, 0.0, 0.0
        helpers = helper_processes(workers) if helpers is None else helpers
        mark = time.perf_counter()
        async for chunk in _chunks(plan, helpers):
            got = time.perf_counter()
            await _write(conn, postgres, chunk, next_contribution)
            next_contribution += chunk.contributions
            done += chunk.workers
            now_ = time.perf_counter()
            waited, wrote, mark = waited + got - mark, wrote + now_ - got, now_
            if progress:
                _progress(done, workers, started)
        marks = {"load": time.perf_counter()}
        if deferred is not None:
            await deferred.restore(conn)
        marks["indexes"] = time.perf_counter()
        if postgres:
            await _fix_sequences(conn, first_worker + workers, next_contribution)
        # The dashboard counters (models.stats) are rebuilt from the rows just written.
        await stats.recount(conn)
        if cache_size is not None:
            await conn.execute_query(f"PRAGMA cache_size = {cache_size}")
        marks["counters"] = time.perf_counter()
    marks["commit"] = time.perf_counter()
    # Fresh statistics, so the planner uses the partner-led indexes right away: without
    # them SQLite drives the loaders' tenancy join from the partner index (bench/RESULTS.md,
    # 2.3x the CPU per list page).
    await get_connection("default").execute_script("ANALYZE")
    marks["analyze"] = time.perf_counter()
    if progress:
        steps = list(marks.items())
        tail = ", ".join(f"{name} {at - steps[i][1]:.1f}s" for i, (name, at) in
                         enumerate(steps[1:]))
        source = "generating" if not helpers else f"waiting for {helpers} helper(s)"
        print(f"demo: loaded {workers:,} workers in {marks['analyze'] - started:.1f}s "
              f"({source} {waited:.1f}s, writing {wrote:.1f}s, {tail})",
              file=sys.stderr, flush=True)

    counts = dict.fromkeys(partners, 0)
    for cell, count in zip(CELLS, quotas(workers, [c.share for c in CELLS]), strict=True):
        counts[cell.owner] += count
    # Largest first; KBRI Hong Kong heads the list (it is the largest at any useful size).
    order = sorted(partners.values(),
                   key=lambda p: (p.code != HONG_KONG, -counts[p.code], p.code))
    return {
        "operator": {"apiKey": operator_key.secret},
        "partners": [
            {"code": p.code, "name": p.name, "kind": p.kind.value, "keys": keys[p.code]}
            for p in order
        ],
    }
