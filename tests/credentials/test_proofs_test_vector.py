"""The 1EdTech Data Integrity (eddsa-rdfc-2022) test vector, reproduced exactly.

Source: 1EdTech/openbadges-specification, ob_v3p0/impl/linked-data-proof-ob.md.
"""

from __future__ import annotations

import copy
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import proofs
from credentials.jsonld import canonicalize

SECRET_HEX = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
METHOD = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
CREATED = "2010-01-01T19:23:24Z"

CREDENTIAL = {
    "@context": [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld",
        "https://w3id.org/security/data-integrity/v1",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "issuanceDate": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": "Team members are nominated for this badge by their peers and "
                "recognized upon review by Example Corp management."
            },
            "description": "This badge recognizes the development of the capacity to "
            "collaborate within a group environment.",
            "name": "Teamwork",
        },
    },
}

PROOF_NQUADS = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2010-01-01T19:23:24Z"'
    "^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022" .\n'
    "_:c14n0 <https://w3id.org/security#proofPurpose> "
    "<https://w3id.org/security#assertionMethod> .\n"
    f"_:c14n0 <https://w3id.org/security#verificationMethod> <{METHOD}> .\n"
)
FIRST_DOCUMENT_NQUAD = (
    "<did:example:ebfeb1f712ebc6f1c276e12ec21> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .\n"
)
DOCUMENT_HASH = "d994aebd5e53f4af4495dbe9e1155410bae683811107c26acf83671075c163b3"
PROOF_HASH = "3cf3c265b6c8ebb29b4d5ea310b87d2f31c79b633eff8af561d2e8c97a85c8cb"
SIGNATURE_HEX = (
    "17a898a91832fa58bd66433e18dc8256522bcf84382994c395c23c26cba71ff8"
    "060a2587390e5ed20c4decec45c0c0c9eec1f7d2d1ce91e1ffc992983a74a300"
)
PROOF_VALUE = (
    "zUSD5bjo6mYV1n9i9E6ZwUiHuj4JyZDjCDfDqoJcPi9XJrc9LYstik9mdBvutdwBdquWXjWrwJDVGJrAarvRs8uD"
)


def _key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(SECRET_HEX))


def _proof_options() -> dict:
    return {
        "type": "DataIntegrityProof",
        "created": CREATED,
        "verificationMethod": METHOD,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }


def test_test_vector_key_pair_matches_its_multikey():
    public = _key().public_key()
    assert proofs.ed25519_public_multibase(public) == (
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    )
    assert proofs.multibase_decode("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")[
        2:
    ] == bytes.fromhex(PUBLIC_HEX)


def test_test_vector_proof_configuration_canonicalises_to_the_published_nquads():
    config = {"@context": CREDENTIAL["@context"], **_proof_options()}
    assert canonicalize(config) == PROOF_NQUADS
    assert hashlib.sha256(PROOF_NQUADS.encode()).hexdigest() == PROOF_HASH


def test_test_vector_document_canonicalises_to_the_published_hash():
    nquads = canonicalize(CREDENTIAL)
    assert nquads.startswith(FIRST_DOCUMENT_NQUAD)
    assert len(nquads.splitlines()) == 16
    assert hashlib.sha256(nquads.encode()).hexdigest() == DOCUMENT_HASH


def test_test_vector_data_to_sign_signature_and_proof_value_reproduce_exactly():
    data = proofs.hash_data(CREDENTIAL, _proof_options())
    assert data.hex() == PROOF_HASH + DOCUMENT_HASH
    assert _key().sign(data).hex() == SIGNATURE_HEX
    signed = proofs.di_sign(
        CREDENTIAL, private_key=_key(), verification_method=METHOD, created=CREATED
    )
    assert signed["proof"] == {**_proof_options(), "proofValue": PROOF_VALUE}
    assert proofs.multibase_decode(PROOF_VALUE).hex() == SIGNATURE_HEX


def test_test_vector_signed_credential_verifies_and_a_changed_value_does_not():
    signed = {**copy.deepcopy(CREDENTIAL), "proof": {**_proof_options(), "proofValue": PROOF_VALUE}}
    public = _key().public_key()
    assert proofs.di_verify(signed, lambda method: public).ok
    signed["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    check = proofs.di_verify(signed, lambda method: public)
    assert not check.ok
    assert "does not match" in check.reason


def test_base58_round_trips_leading_zero_bytes():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert proofs.base58btc_decode(proofs.base58btc_encode(data)) == data


# --- W3C vc-di-eddsa (eddsa-rdfc-2022) test vector: credentials v2 context -------------------
# Source: w3c/vc-di-eddsa TestVectors/keyPair.json and eddsa-rdfc-2022/signedDataInt.json.
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_PRIVATE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_SIGNED = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": f"https://vc.example/issuers/5678#{W3C_PUBLIC}",
        "proofPurpose": "assertionMethod",
        "proofValue": (
            "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7"
            "CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
        ),
    },
}


def test_w3c_vector_with_the_credentials_v2_context_verifies_and_re_signs_identically():
    seed = proofs.multibase_decode(W3C_PRIVATE)
    assert seed[:2] == b"\x80\x26" and len(seed) == 34  # multicodec ed25519-priv
    key = Ed25519PrivateKey.from_private_bytes(seed[2:])
    assert proofs.ed25519_public_multibase(key.public_key()) == W3C_PUBLIC
    public = proofs.ed25519_public_from_multibase(W3C_PUBLIC)
    assert proofs.di_verify(W3C_SIGNED, lambda method: public).ok
    unsigned = {k: v for k, v in W3C_SIGNED.items() if k != "proof"}
    resigned = proofs.di_sign(
        unsigned,
        private_key=key,
        verification_method=W3C_SIGNED["proof"]["verificationMethod"],
        created=W3C_SIGNED["proof"]["created"],
    )
    assert resigned["proof"]["proofValue"] == W3C_SIGNED["proof"]["proofValue"]
