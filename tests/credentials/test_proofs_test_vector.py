"""The current Data Integrity (eddsa-rdfc-2022, RDFC-1.0) test vectors, reproduced exactly.

The vectors live in ``tests/credentials/test_vectors/``, each with the repository, path and commit
it was copied from:

- ``ob_v3p0_eddsa_rdfc_2022.json``: 1EdTech Open Badges 3.0 Implementation Guide, "Linked Data
  Proof Test Vector for Open Badges 3.0" (VC Data Model 2.0, OB context 3.0.3);
- ``w3c_vc_di_eddsa_rdfc_2022.json``: W3C vc-di-eddsa, Appendix B.1 (did:key verification
  method);
- ``ob_v3p0_eddsa_rdfc_2022_superseded.json``: the 2022 1EdTech vector both replaced; only its
  signed credential is kept, to show such credentials still verify.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import proofs
from credentials.jsonld import canonicalize

VECTORS = Path(__file__).resolve().parent / "test_vectors"


def _load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


OB = _load("ob_v3p0_eddsa_rdfc_2022.json")
W3C = _load("w3c_vc_di_eddsa_rdfc_2022.json")
SUPERSEDED = _load("ob_v3p0_eddsa_rdfc_2022_superseded.json")


def _ob_key() -> Ed25519PrivateKey:
    # 1EdTech prints the 64-byte NaCl secret key (seed ‖ public key); the seed is its first half.
    secret = bytes.fromhex(OB["privateKeyHex"])
    assert secret[32:].hex() == OB["publicKeyHex"]
    return Ed25519PrivateKey.from_private_bytes(secret[:32])


def _w3c_key() -> Ed25519PrivateKey:
    seed = proofs.multibase_decode(W3C["secretKeyMultibase"])
    assert seed[:2] == b"\x80\x26" and len(seed) == 34  # multicodec ed25519-priv
    return Ed25519PrivateKey.from_private_bytes(seed[2:])


VECTOR_KEYS = {"ob": (OB, _ob_key), "w3c": (W3C, _w3c_key)}


@pytest.mark.parametrize("name", VECTOR_KEYS)
def test_vector_records_where_it_was_copied_from(name):
    source = VECTOR_KEYS[name][0]["source"]
    assert source["repository"] in ("1EdTech/openbadges-specification", "w3c/vc-di-eddsa")
    assert source["path"]
    assert len(source["commit"]) == 40 and int(source["commit"], 16) >= 0


@pytest.mark.parametrize("name", VECTOR_KEYS)
def test_vector_key_pair_matches_its_multikey(name):
    vector, key = VECTOR_KEYS[name]
    assert proofs.ed25519_public_multibase(key().public_key()) == vector["publicKeyMultibase"]


@pytest.mark.parametrize("name", VECTOR_KEYS)
def test_vector_document_canonicalises_to_the_published_nquads_and_hash(name):
    vector, _key = VECTOR_KEYS[name]
    nquads = canonicalize(vector["credential"])
    assert nquads == vector["documentCanonical"]
    assert hashlib.sha256(nquads.encode()).hexdigest() == vector["documentHashHex"]


@pytest.mark.parametrize("name", VECTOR_KEYS)
def test_vector_proof_options_canonicalise_to_the_published_nquads_and_hash(name):
    vector, _key = VECTOR_KEYS[name]
    config = {**vector["proofOptions"], "@context": vector["credential"]["@context"]}
    nquads = canonicalize(config)
    # The credentials v2 context types cryptosuite as sec:cryptosuiteString; the 2022 vectors,
    # made with data-integrity/v1, had a plain literal there.
    assert '"eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString>' in nquads
    assert nquads == vector["proofCanonical"]
    assert hashlib.sha256(nquads.encode()).hexdigest() == vector["proofHashHex"]


@pytest.mark.parametrize("name", VECTOR_KEYS)
def test_vector_data_to_sign_signature_and_proof_value_reproduce_exactly(name):
    vector, key = VECTOR_KEYS[name]
    options = vector["proofOptions"]
    data = proofs.hash_data(vector["credential"], options)
    assert data.hex() == vector["dataToSignHex"]
    assert key().sign(data).hex() == vector["signatureHex"]
    signed = proofs.di_sign(
        vector["credential"],
        private_key=key(),
        verification_method=options["verificationMethod"],
        created=options["created"],
    )
    assert signed == vector["signedCredential"]
    assert signed["proof"]["proofValue"] == vector["proofValue"]
    assert proofs.multibase_decode(vector["proofValue"]).hex() == vector["signatureHex"]


@pytest.mark.parametrize("name", VECTOR_KEYS)
def test_vector_signed_credential_verifies_and_a_changed_value_does_not(name):
    vector, key = VECTOR_KEYS[name]
    public = key().public_key()
    signed = copy.deepcopy(vector["signedCredential"])
    check = proofs.di_verify(signed, lambda method: public)
    assert check.ok
    assert check.verification_method == vector["proofOptions"]["verificationMethod"]
    signed["name"] = signed["name"] + "!"
    check = proofs.di_verify(signed, lambda method: public)
    assert not check.ok
    assert "does not match" in check.reason


@pytest.mark.parametrize("name", VECTOR_KEYS)
def test_vector_proof_is_bound_to_its_verification_method(name):
    # Changing the verification method changes the proof hash: the signature no longer matches.
    vector, key = VECTOR_KEYS[name]
    public = key().public_key()
    signed = copy.deepcopy(vector["signedCredential"])
    signed["proof"]["verificationMethod"] = "https://vc.example/issuers/other#key-1"
    check = proofs.di_verify(signed, lambda method: public)
    assert not check.ok and "does not match" in check.reason


def test_superseded_2022_vector_still_verifies():
    # Credentials signed with the 2022 contexts (credentials v1, OB context 3.0, data-integrity
    # v1) are in circulation; the superseded vector must keep verifying.
    public = proofs.ed25519_public_from_multibase(SUPERSEDED["publicKeyMultibase"])
    assert proofs.di_verify(SUPERSEDED["signedCredential"], lambda method: public).ok


def test_superseded_vector_proof_is_not_the_current_one():
    # Guards against the data files being swapped back: the current vectors are different.
    assert SUPERSEDED["signedCredential"]["proof"]["proofValue"] != OB["proofValue"]
    assert "validFrom" in OB["credential"] and "issuanceDate" not in OB["credential"]
    assert W3C["proofOptions"]["verificationMethod"].startswith("did:key:")


def test_base58_round_trips_leading_zero_bytes():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert proofs.base58btc_decode(proofs.base58btc_encode(data)) == data
