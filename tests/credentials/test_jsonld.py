"""The memoising canonicaliser gives exactly what plain pyld gives, and refuses what it must."""

from __future__ import annotations

import copy

import pytest
from pyld import jsonld as pyld_jsonld

from credentials import jsonld, services

pytestmark = pytest.mark.django_db


def _plain(document: dict) -> str:
    return pyld_jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": jsonld.document_loader,
            "base": None,
        },
    )


def test_memoised_canonicalisation_equals_plain_pyld_for_every_document_we_sign(award, achievement):
    from tests.credentials.factories import EndorsementFactory

    endorsement = EndorsementFactory(achievement=achievement)
    services.endorsement_sign(endorsement_id=endorsement.pk)
    endorsement.refresh_from_db()
    documents = [award.ob3_credential, endorsement.credential]
    for document in documents:
        unsigned = {k: v for k, v in document.items() if k != "proof"}
        for _ in range(3):  # the second and third runs use the memoised scoped contexts
            assert jsonld.canonicalize(unsigned) == _plain(unsigned)


def test_memoisation_does_not_leak_between_different_documents(award):
    first = {k: v for k, v in award.ob3_credential.items() if k != "proof"}
    second = copy.deepcopy(first)
    second["credentialSubject"]["achievement"]["name"] = "Otro logro"
    assert jsonld.canonicalize(first) != jsonld.canonicalize(second)
    assert jsonld.canonicalize(second) == _plain(second)


def test_unknown_context_and_undefined_terms_are_refused():
    with pytest.raises(jsonld.UnknownContextError):
        jsonld.canonicalize({"@context": ["https://example.org/ctx"], "name": "x"})
    with pytest.raises(jsonld.UndefinedTermError):
        jsonld.canonicalize(
            {
                "@context": [jsonld.CREDENTIALS_V2],
                "type": ["VerifiableCredential"],
                "undefinedThing": "x",
            }
        )


def test_relative_type_names_are_refused_rather_than_dropped(award):
    unsigned = {k: v for k, v in award.ob3_credential.items() if k != "proof"}
    tampered = copy.deepcopy(unsigned)
    tampered["issuer"]["type"] = ["ProfilX"]
    with pytest.raises(jsonld.UndefinedTermError, match="ProfilX"):
        jsonld.canonicalize(tampered)
