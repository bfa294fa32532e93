"""Encryption at rest and keyed digests of identifiers (models.identifiers), in memory."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import identifiers
from models.identifiers import IdentifierVault, VaultError, derive_key, parse_data_keys

FAST = settings(max_examples=200, deadline=None, database=None)

K1 = bytes(range(32))
K2 = bytes(range(32, 64))
HMAC_KEY = b"h" * 32
NIK = "3201915403959001"
PASSPORT = "A1234567"


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def vault() -> IdentifierVault:
    return IdentifierVault({"k1": K1}, "k1", HMAC_KEY)


VAULT = IdentifierVault({"k1": K1}, "k1", HMAC_KEY)


# --- seal and open --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [("nik", NIK), ("passport", PASSPORT), ("family_card", "3201910101019001"), ("nik", ""),
     ("note", "Siti Rahmawati — ñ 李")],
)
def test_a_sealed_identifier_opens_to_the_same_value(
    vault: IdentifierVault, kind: str, value: str
) -> None:
    assert vault.open(kind, vault.seal(kind, value)) == value


def test_a_sealed_identifier_names_its_key_and_holds_no_plaintext(vault: IdentifierVault) -> None:
    token = vault.seal("nik", NIK)
    assert token.startswith("v1.k1.")
    assert vault.key_id_of(token) == "k1"
    assert NIK not in token
    assert NIK not in base64.urlsafe_b64decode(token.split(".", 2)[2]).decode("latin-1")


def test_sealing_twice_gives_different_ciphertexts_that_both_open(vault: IdentifierVault) -> None:
    first, second = vault.seal("nik", NIK), vault.seal("nik", NIK)
    assert first != second  # random nonce
    assert vault.open("nik", first) == vault.open("nik", second) == NIK


@pytest.mark.parametrize(("sealed_as", "opened_as"),
                         [("nik", "passport"), ("passport", "nik"), ("nik", "family_card")])
def test_the_kind_is_authenticated_so_a_nik_cannot_be_opened_as_a_passport(
    vault: IdentifierVault, sealed_as: str, opened_as: str
) -> None:
    with pytest.raises(VaultError):
        vault.open(opened_as, vault.seal(sealed_as, NIK))


def _flip(token: str, index: int) -> str:
    prefix, key_id, body = token.split(".", 2)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[index] ^= 0x01
    return f"{prefix}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("index", [0, 11, 12, -1])  # nonce, ciphertext, tag
def test_a_tampered_ciphertext_fails_to_open(vault: IdentifierVault, index: int) -> None:
    with pytest.raises(VaultError):
        vault.open("nik", _flip(vault.seal("nik", NIK), index))


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not a token",
        "v1.k1",
        "v1.k1.",  # empty body
        "v1.k1.AAAA",  # shorter than a nonce
        "v1.k1.!!!not-base64!!!",
        "v1.k1.QUJD=",  # damaged padding
    ],
)
def test_a_malformed_token_fails_as_a_vault_error(vault: IdentifierVault, token: str) -> None:
    with pytest.raises(VaultError):
        vault.open("nik", token)


def test_a_truncated_ciphertext_fails_to_open(vault: IdentifierVault) -> None:
    token = vault.seal("nik", NIK)
    with pytest.raises(VaultError):
        vault.open("nik", token[:-8])


def test_a_token_of_another_format_version_fails_to_open(vault: IdentifierVault) -> None:
    token = vault.seal("nik", NIK)
    with pytest.raises(VaultError):
        vault.open("nik", "v2" + token[2:])


def test_key_id_of_a_malformed_token_is_a_vault_error(vault: IdentifierVault) -> None:
    with pytest.raises(VaultError):
        vault.key_id_of("garbage")


def test_a_value_sealed_under_an_unknown_key_id_fails_to_open() -> None:
    token = IdentifierVault({"k1": K1}, "k1", HMAC_KEY).seal("nik", NIK)
    other = IdentifierVault({"k2": K2}, "k2", HMAC_KEY)
    with pytest.raises(VaultError, match="k1"):
        other.open("nik", token)


def test_a_value_opened_with_a_different_key_under_the_same_id_fails() -> None:
    token = IdentifierVault({"k1": K1}, "k1", HMAC_KEY).seal("nik", NIK)
    impostor = IdentifierVault({"k1": K2}, "k1", HMAC_KEY)
    with pytest.raises(VaultError):
        impostor.open("nik", token)


def test_after_rotation_old_values_open_and_new_values_are_sealed_with_the_new_key() -> None:
    old = IdentifierVault({"k1": K1}, "k1", HMAC_KEY).seal("nik", NIK)
    rotated = IdentifierVault({"k2": K2, "k1": K1}, "k2", HMAC_KEY)
    assert rotated.open("nik", old) == NIK
    fresh = rotated.seal("nik", NIK)
    assert rotated.key_id_of(fresh) == "k2"
    assert rotated.open("nik", fresh) == NIK
    with pytest.raises(VaultError):  # the retired vault cannot read new values
        IdentifierVault({"k1": K1}, "k1", HMAC_KEY).open("nik", fresh)


@pytest.mark.parametrize(
    ("keys", "current"),
    [
        ({"k1": K1}, "k2"),  # current key missing
        ({"k1": K1[:16]}, "k1"),  # 16-byte key
        ({"k.1": K1}, "k.1"),  # dot would break the token format
        ({"": K1}, ""),
    ],
)
def test_a_vault_with_bad_keys_is_refused(keys: dict[str, bytes], current: str) -> None:
    with pytest.raises(VaultError):
        IdentifierVault(keys, current, HMAC_KEY)


# --- digest -----------------------------------------------------------------------------------


def test_digest_is_deterministic_hex_sha256(vault: IdentifierVault) -> None:
    digest = vault.digest("nik", NIK)
    assert digest == vault.digest("nik", NIK)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert NIK not in digest


def test_digest_differs_per_kind_and_per_value(vault: IdentifierVault) -> None:
    assert vault.digest("nik", NIK) != vault.digest("passport", NIK)
    assert vault.digest("nik", NIK) != vault.digest("nik", NIK[:-1] + "2")


def test_digest_differs_per_hmac_key() -> None:
    a = IdentifierVault({"k1": K1}, "k1", b"a" * 32)
    b = IdentifierVault({"k1": K1}, "k1", b"b" * 32)
    assert a.digest("nik", NIK) != b.digest("nik", NIK)


def test_digest_does_not_change_when_data_keys_rotate() -> None:
    # Uniqueness and search use the digest: a rotation must not change it.
    before = IdentifierVault({"k1": K1}, "k1", HMAC_KEY)
    after = IdentifierVault({"k2": K2, "k1": K1}, "k2", HMAC_KEY)
    assert before.digest("nik", NIK) == after.digest("nik", NIK)


@FAST
@given(kind=st.sampled_from(["nik", "passport", "family_card"]), value=st.text(max_size=40))
def test_any_text_round_trips_and_digests_deterministically(kind: str, value: str) -> None:
    assert VAULT.open(kind, VAULT.seal(kind, value)) == value
    assert VAULT.digest(kind, value) == VAULT.digest(kind, value)


# --- key configuration ------------------------------------------------------------------------


def test_parse_data_keys_returns_keys_with_the_first_as_current() -> None:
    keys, current = parse_data_keys(f"k2:{b64(K2)}, k1:{b64(K1)} ")
    assert keys == {"k2": K2, "k1": K1}
    assert current == "k2"
    IdentifierVault(keys, current, HMAC_KEY)  # usable as is


@pytest.mark.parametrize("spec", ["", " ", ",", " , "])
def test_parse_data_keys_refuses_an_empty_list(spec: str) -> None:
    with pytest.raises(VaultError, match="no data keys"):
        parse_data_keys(spec)


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("k1:not base64!", "base64"),
        (f"k1:{b64(K1[:16])}", "32 bytes"),
        (f"k1:{b64(K1)},k1:{b64(K2)}", "twice"),
        (f":{b64(K1)}", "id:base64"),
        (f"k.1:{b64(K1)}", "id:base64"),
    ],
)
def test_parse_data_keys_refuses_bad_entries(spec: str, match: str) -> None:
    with pytest.raises(VaultError, match=match):
        parse_data_keys(spec)


def test_parse_data_keys_never_echoes_key_material_without_an_id() -> None:
    secret = b64(K1)
    with pytest.raises(VaultError) as info:
        parse_data_keys(f"k2:{b64(K2)},{secret}")
    assert secret not in str(info.value)
    assert secret[:8] not in str(info.value)


def test_derived_keys_are_32_bytes_and_differ_per_purpose_and_secret() -> None:
    data, digest = derive_key("s", "data"), derive_key("s", "digest")
    assert len(data) == len(digest) == 32
    assert data != digest
    assert derive_key("s", "data") == data
    assert derive_key("t", "data") != data


@pytest.fixture
def no_global_vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(identifiers, "_vault", None)
    yield


@pytest.mark.usefixtures("no_global_vault")
def test_the_global_vault_must_be_configured_before_use(vault: IdentifierVault) -> None:
    with pytest.raises(VaultError, match="not configured"):
        identifiers.vault()
    identifiers.configure(vault)
    assert identifiers.vault() is vault
