"""Encryption at rest for personal identifiers (NIK, passport and family-card numbers).

Each identifier is stored twice: AES-256-GCM ciphertext (readable with the data key) and a
keyed HMAC-SHA256 digest (for uniqueness and exact-match search without decrypting).
A database dump or backup then holds no plaintext identifier. The ciphertext names the
key that sealed it, so ``portal rotate-data-key`` can re-encrypt row by row while old and
new keys are both configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1"


class VaultError(Exception):
    """The data key needed to open a value is not configured, or the value was tampered with."""


@dataclass(frozen=True)
class IdentifierVault:
    """Seals and opens identifiers. ``keys`` maps key id to a 32-byte key; ``current`` seals."""

    keys: dict[str, bytes]
    current: str
    hmac_key: bytes
    _aead: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise VaultError(f"current data key id {self.current!r} is not among the keys")
        for key_id, key in self.keys.items():
            if len(key) != 32:
                raise VaultError(f"data key {key_id!r} must be 32 bytes")
            if "." in key_id or not key_id:
                raise VaultError("data key ids are non-empty and contain no dot")
            self._aead[key_id] = AESGCM(key)

    def seal(self, kind: str, plaintext: str) -> str:
        nonce = os.urandom(12)
        # The kind is authenticated data: a NIK ciphertext cannot be pasted into the
        # passport column and still open.
        sealed = self._aead[self.current].encrypt(nonce, plaintext.encode(), kind.encode())
        return f"{_PREFIX}.{self.current}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, kind: str, token: str) -> str:
        prefix, key_id, body = _split(token)
        if prefix != _PREFIX or key_id not in self._aead:
            raise VaultError(f"no data key {key_id!r} configured to open this value")
        try:
            # Inside the try: a damaged body is not valid base64 (binascii.Error) either.
            raw = base64.urlsafe_b64decode(body)
            return self._aead[key_id].decrypt(raw[:12], raw[12:], kind.encode()).decode()
        except Exception as exc:  # InvalidTag: wrong key or tampered ciphertext
            raise VaultError("identifier failed authentication") from exc

    def key_id_of(self, token: str) -> str:
        return _split(token)[1]

    def digest(self, kind: str, plaintext: str) -> str:
        return hmac.new(self.hmac_key, f"{kind}:{plaintext}".encode(), hashlib.sha256).hexdigest()


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(".", 2) if isinstance(token, str) else []
    if len(parts) != 3:
        raise VaultError("not a sealed identifier")
    return parts[0], parts[1], parts[2]


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose from the service secret (development defaults only)."""
    return hashlib.sha256(f"partner-portal/{purpose}/{secret}".encode()).digest()


def parse_data_keys(spec: str) -> tuple[dict[str, bytes], str]:
    """``"k2:BASE64,k1:BASE64"`` → keys and the current (first) id."""
    keys: dict[str, bytes] = {}
    current = ""
    for n, part in enumerate((p.strip() for p in spec.split(",") if p.strip()), start=1):
        key_id, sep, b64 = part.partition(":")
        key_id = key_id.strip()
        # Without "id:" the whole entry is key material: never echo it in a message.
        if not sep or not key_id or "." in key_id:
            raise VaultError(
                f"data key entry {n} must be id:base64 with a non-empty id without dots"
            )
        if key_id in keys:
            raise VaultError(f"data key id {key_id!r} is given twice")
        try:
            key = base64.b64decode(b64.strip(), validate=True)
        except ValueError as exc:
            raise VaultError(f"data key {key_id!r} is not valid base64") from exc
        if len(key) != 32:
            raise VaultError(f"data key {key_id!r} must be 32 bytes")
        keys[key_id] = key
        current = current or key_id
    if not keys:
        raise VaultError("no data keys given")
    return keys, current


_vault: IdentifierVault | None = None


def configure(vault: IdentifierVault) -> None:
    global _vault
    _vault = vault


def vault() -> IdentifierVault:
    if _vault is None:
        raise VaultError("the identifier vault is not configured (portal.settings does it)")
    return _vault
