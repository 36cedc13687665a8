#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/seed-*) from one example
of each registration rule of CONFORMANCE.md (the rule's id in the comment of its entry) and the JSON
of the seed document (indigo-iam-client-registration.txt)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")
MIN = {"redirect_uris": ["https://rp.example.org/cb"], "client_name": "t"}

def m(**extra):
    d = dict(MIN)
    d.update(extra)
    return d

# The seed document's registration request and its 201 response (echoed back as a PUT).
SEED_REQUEST = {
    "redirect_uris": ["https://another.client.example/oidc"],
    "client_name": "another-example-client",
    "contacts": ["test@iam.test"],
    "token_endpoint_auth_method": "client_secret_basic",
    "scope": "address phone openid email profile offline_access",
    "grant_types": ["refresh_token", "authorization_code"],
    "response_types": ["code"],
}
SEED_RESPONSE = dict(SEED_REQUEST, client_id="fuzz-client",
                     client_secret="R4u3v-SUqKX1XTFQbGGr-S5qcOAA8JrLT0xAOHYZl1Up65ChHYNsl-8y6gv7qJLaxVI5Z6UXBmSkwSDZLtAAWw",
                     client_secret_expires_at=0, client_id_issued_at=1507223860)

METADATA = {
    "min": MIN,  # MIN
    "seed-request": SEED_REQUEST,
    "seed-response": SEED_RESPONSE,
    "unknown-members": m(foo="bar", extension={"x": [1, 2]}),  # REG-6
    "server-values": m(client_id="mine", client_secret="s", registration_access_token="t"),  # REG-7
    "member-case": {"Redirect_Uris": ["https://rp.example.org/cb"]},  # REG-5
    "language-tags": m(**{"client_name#ja-Jpan-JP": "クライアント", "client_name#de-CH": "Kunde",
                          "logo_uri#fr": "https://rp.example.org/logo-fr.png", "tos_uri#en-US": "https://rp.example.org/tos",
                          "policy_uri#de": "https://rp.example.org/p", "client_uri#x-private": "https://rp.example.org/"}),  # VAL-33
    "bad-language-tag": m(**{"client_name#not a tag": "x"}),  # VAL-34
    "enc-default": m(id_token_encrypted_response_alg="RSA-OAEP", userinfo_encrypted_response_alg="RSA-OAEP-256"),  # ECHO-15
    "enc-alone": m(id_token_encrypted_response_enc="A128GCM"),  # ALG-1
    "every-member": m(client_uri="https://rp.example.org/", logo_uri="https://rp.example.org/l.png",
                      tos_uri="https://rp.example.org/tos", policy_uri="https://rp.example.org/policy",
                      contacts=["a@rp.example.org"], scope="openid email", software_id="4NRB1-0XZABZI9E6-5SM3R",
                      software_version="2.1", subject_type="public", default_max_age=3600, require_auth_time=True,
                      default_acr_values=["urn:mace:incommon:iap:silver"], initiate_login_uri="https://rp.example.org/login",
                      request_uris=["https://rp.example.org/req#abc"], post_logout_redirect_uris=["https://rp.example.org/bye"],
                      frontchannel_logout_uri="https://rp.example.org/fc", frontchannel_logout_session_required=True,
                      backchannel_logout_uri="https://rp.example.org/bc", backchannel_logout_session_required=False,
                      userinfo_signed_response_alg="ES256", request_object_signing_alg="RS256",
                      request_object_encryption_alg="RSA-OAEP", request_object_encryption_enc="A256GCM"),  # ECHO-8
    "no-redirect-uris": {"client_name": "t"},  # VAL-3
    "client-credentials": {"grant_types": ["client_credentials"], "client_name": "svc"},  # VAL-4
    "fragment": {"redirect_uris": ["https://rp.example.org/cb#frag"]},  # VAL-5
    "query": {"redirect_uris": ["https://rp.example.org/cb?b=2&a=1%20x"]},  # VAL-8
    "relative-redirect": {"redirect_uris": ["/cb", 7]},  # VAL-6
    "redirect-not-array": {"redirect_uris": "https://rp.example.org/cb"},  # VAL-7
    "http-web": {"redirect_uris": ["http://rp.example.org/cb"]},  # VAL-9
    "implicit-localhost": {"redirect_uris": ["https://localhost/cb"], "response_types": ["id_token token"],
                           "grant_types": ["implicit"]},  # VAL-10
    "native-loopback": {"application_type": "native",
                        "redirect_uris": ["http://127.0.0.1/cb", "http://[::1]:8080/cb", "http://localhost/cb"]},  # VAL-11
    "native-http": {"application_type": "native", "redirect_uris": ["http://rp.example.org/cb"]},  # VAL-12
    "private-scheme": {"application_type": "native", "redirect_uris": ["com.example.app:/cb"]},  # VAL-14
    "dangerous-schemes": {"application_type": "native", "redirect_uris": ["javascript:alert(1)", "data:text/html,x",
                                                                         "file:///etc/passwd", "vbscript:x"]},  # VAL-15
    "hybrid": m(response_types=["code id_token token", "code"], grant_types=["authorization_code", "implicit"]),  # VAL-1
    "inconsistent-types": m(response_types=["token"], grant_types=["authorization_code"]),  # VAL-1
    "password-grant": m(grant_types=["password"]),  # VAL-2
    "auth-none": m(token_endpoint_auth_method="none"),  # VAL-16
    "private-key-jwt": m(token_endpoint_auth_method="private_key_jwt",
                         jwks={"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tw", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "1"}]}),  # VAL-18
    "private-key-jwt-no-keys": m(token_endpoint_auth_method="private_key_jwt"),  # VAL-18
    "unknown-auth-method": m(token_endpoint_auth_method="tls_client_auth_x"),  # VAL-2
    "jwks-and-jwks-uri": m(jwks={"keys": []}, jwks_uri="https://rp.example.org/jwks"),  # VAL-19
    "private-jwk": m(jwks={"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}),  # KEY-2
    "http-jwks-uri": m(jwks_uri="http://rp.example.org/jwks"),  # VAL-20
    "sector": m(subject_type="pairwise", sector_identifier_uri="https://rp.example.org/sector"),  # VAL-26
    "pairwise-hosts": {"subject_type": "pairwise", "redirect_uris": ["https://a.example.org/cb", "https://b.example.org/cb"]},  # VAL-29
    "http-initiate-login": m(initiate_login_uri="http://rp.example.org/login"),  # VAL-21
    "id-token-none": m(id_token_signed_response_alg="none", response_types=["id_token"], grant_types=["implicit"]),  # ALG-2
    "auth-signing-none": m(token_endpoint_auth_signing_alg="none"),  # ALG-3
    "types-wrong": m(default_max_age=-1, require_auth_time="yes", contacts="x", scope=7),  # VAL-32
    "nulls": m(client_uri=None, contacts=None, jwks=None),  # VAL-32
}

def write(target, name, data):
    path = os.path.join(CORPUS, target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "seed-" + name), "wb") as f:
        f.write(data)

for name, doc in METADATA.items():
    body = json.dumps(doc, ensure_ascii=False).encode()
    write("metadata_roundtrip", name, body)
    # PUT needs client_id in the body (RFC 7592 §2.2): carry the fixed one.
    put = dict(doc, client_id="fuzz-client") if isinstance(doc, dict) else doc
    write("layer_body", name, json.dumps(put, ensure_ascii=False).encode())
# Bodies that are not a JSON object (REG-2), nested past every bound (REG-4), or with a member
# given twice.
for name, body in {"array-body": b"[]", "malformed-body": b'{"redirect_uris": [', "string-body": b'"x"',
                   "deep": b"[" * 200 + b"]" * 200, "dup-keys": b'{"client_name":"a","client_name":"b"}'}.items():
    write("layer_body", name, body)
    write("metadata_roundtrip", name, body)

# token_verify: mode 0 = raw string; 1/2 = splice into the issued token; 3 = replace one part.
SEED_RAT = "eyJraWQiOiJyc2ExIiwiYWxnIjoiUlMyNTYifQ.eyJhdWQiOiI0YjI1NTZkNy02NWM1LTRhMTUtODFjMC03YjgwYzYwNDk0MGUiLCJpc3MiOiJodHRwczpcL1wvaWFtLmxvY2FsLmlvXC8iLCJpYXQiOjE1MDcyMjM4NjAsImp0aSI6IjRmNTQ2YmEyLWE3ZWEtNDA4ZC1iYWI1LTdlZGMyNDZlOWJhMiJ9.Iyr7fw"
for name, data in {
    "seed-rat": b"\x00" + SEED_RAT.encode(),
    "empty": b"\x00",
    "bearer-raw": b"Bearer " + SEED_RAT.encode(),
    "splice-sig": b"\x01\xf0AAAA",
    "insert-dot": b"\x02\x10.",
    "alg-none": b"\x03\x00eyJhbGciOiJub25lIn0",
    "empty-sig": b"\x03\x02",
    "padding": b"\x02\xff==",
    # The first long run's finding (tests/security/fuzz_regressions.rs): spaces before the token.
    "spaces-before-token": b"\x42\x00" + b" " * 6,
}.items():
    write("token_verify", name, data)

# router: prefix selector, method selector, request target.
for name, data in {
    "register": b"\x00\x01/register",
    "client": b"\x00\x00/register/fuzz-client",
    "client-query": b"\x00\x03/register/abc?x=1",
    "trailing-slash": b"\x00\x00/register/",
    "two-segments": b"\x00\x02/register/a/b",
    "prefix-lookalike": b"\x00\x00/registerx",
    "nested-prefix": b"\x01\x04/oauth2/register",
    "short-prefix": b"\x02\x00/r/%2F",
    "absolute": b"\x00\x00http://h.example/register/x",
    "custom-method": b"\x00\x08PROP/register",
}.items():
    write("router", name, data)
