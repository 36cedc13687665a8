"""The official MCP Python SDK (`mcp`, pinned in requirements.txt) as a new MCP client of the
example server: it meets the 401 of /mcp, discovers the protected resource metadata (RFC 9728)
and the authorization server metadata (RFC 8414), registers a public client (RFC 7591),
authorizes with PKCE S256, gets a token, then lists and calls the server's tools.

Run by scripts/mcp-sdk with MCP_SDK_SERVER_URL set to the server's base URL. Exits non-zero on
the first failed check.
"""

import asyncio
import json
import os
import random
import secrets
import sys
from urllib.parse import parse_qs, urlsplit

import httpx2
from mcp import Client
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

# A loopback redirect URI (RFC 8252): nothing listens there, the handler reads the redirect.
REDIRECT_URL = "http://127.0.0.1:8090/callback"


class MemoryStorage:
    """The SDK's TokenStorage, in memory, recording what it is given."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None
        self.saved_tokens: list[OAuthToken] = []
        self.saved_client_info: list[OAuthClientInformationFull] = []

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.saved_tokens.append(tokens)
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.saved_client_info.append(client_info)
        self.client_info = client_info


class HeadlessBrowser:
    """The user's visit to the authorization endpoint, without a browser: the example server
    approves a demo user at once and redirects to the redirect URI with `code` and `state`,
    which the SDK's callback handler then returns (the SDK checks the state)."""

    def __init__(self) -> None:
        self.authorization_urls: list[str] = []
        self._result: AuthorizationCodeResult | None = None

    async def redirect(self, authorization_url: str) -> None:
        self.authorization_urls.append(authorization_url)
        async with httpx2.AsyncClient(follow_redirects=False) as http:
            response = await http.get(authorization_url)
        assert 300 <= response.status_code < 400, (
            f"the authorization endpoint answered {response.status_code}, not a redirect: {response.text}"
        )
        location = response.headers.get("location")
        assert location, "a redirect without a Location header"
        target = urlsplit(location)
        assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT_URL, f"redirected to {location}"
        params = {name: values[0] for name, values in parse_qs(target.query).items()}
        assert "error" not in params, f"authorization refused: {params}"
        assert params.get("code"), f"no code in {location}"
        self._result = AuthorizationCodeResult(code=params["code"], state=params.get("state"), iss=params.get("iss"))

    async def callback(self) -> AuthorizationCodeResult:
        result, self._result = self._result, None
        assert result is not None, "the callback came before the redirect"
        return result


def result_text(name: str, result) -> str:
    """The text of a tool result, which must not be an error."""
    assert not result.is_error, f"{name} failed: {result}"
    return "".join(c.text for c in result.content if c.type == "text")


async def main() -> None:
    base = os.environ.get("MCP_SDK_SERVER_URL", "").rstrip("/")
    assert base, "MCP_SDK_SERVER_URL is not set: run the tests with scripts/mcp-sdk"

    requests: list[tuple[str, str, int]] = []

    async def record(response: httpx2.Response) -> None:
        requests.append((response.request.method, response.request.url.path, response.status_code))

    storage = MemoryStorage()
    browser = HeadlessBrowser()
    oauth = OAuthClientProvider(
        server_url=f"{base}/mcp",
        client_metadata=OAuthClientMetadata(
            client_name="MCP Python SDK end-to-end test",
            redirect_uris=[REDIRECT_URL],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=browser.redirect,
        callback_handler=browser.callback,
    )
    async with httpx2.AsyncClient(auth=oauth, event_hooks={"response": [record]}, timeout=30) as http:
        async with Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client:
            names = sorted(tool.name for tool in (await client.list_tools()).tools)
            for name in ("add", "echo", "whoami"):
                assert name in names, f"the server lists {name}; it lists: {names}"

            text = f"hello {secrets.token_hex(6)}"
            echoed = result_text("echo", await client.call_tool("echo", {"text": text}))
            assert echoed == text, f"echo answered {echoed!r}, not {text!r}"

            a, b = random.randint(1000, 1999), random.randint(1000, 1999)
            total = result_text("add", await client.call_tool("add", {"a": a, "b": b}))
            assert float(total) == a + b, f"add({a}, {b}) answered {total!r}"

            whoami = json.loads(result_text("whoami", await client.call_tool("whoami", {})))

    # The flow, from the requests the SDK made.
    mcp_first = requests[0]
    assert mcp_first[1] == "/mcp" and mcp_first[2] == 401, f"the first request: {mcp_first}"
    assert ("GET", "/.well-known/oauth-protected-resource/mcp", 200) in requests, requests
    assert ("GET", "/.well-known/oauth-authorization-server", 200) in requests or (
        "GET",
        "/.well-known/openid-configuration",
        200,
    ) in requests, requests
    registrations = [r for r in requests if r[0] == "POST" and r[1] == "/register"]
    assert [r[2] for r in registrations] == [201], f"one registration: {requests}"
    assert len(storage.saved_client_info) == 1, storage.saved_client_info
    registered = storage.saved_client_info[0]
    assert registered.client_id, registered
    assert registered.client_secret is None, "a public client gets no secret"
    assert registered.token_endpoint_auth_method == "none", registered
    assert whoami.get("client_id") == registered.client_id, f"the token was issued to {whoami}"
    assert len(browser.authorization_urls) == 1, browser.authorization_urls
    query = parse_qs(urlsplit(browser.authorization_urls[0]).query)
    assert query.get("client_id") == [registered.client_id], query
    assert query.get("code_challenge_method") == ["S256"], query
    assert query.get("resource") == [f"{base}/mcp"], query
    token_requests = [r for r in requests if r[0] == "POST" and r[1] == "/token"]
    assert [r[2] for r in token_requests] == [200], f"one code exchange: {requests}"
    assert len(storage.saved_tokens) == 1 and storage.saved_tokens[0].access_token, storage.saved_tokens
    after_token = requests[requests.index(token_requests[0]) + 1 :]
    mcp_after = [r for r in after_token if r[1] == "/mcp"]
    assert mcp_after and all(r[2] not in (401, 403) for r in mcp_after), requests
    print(f"ok: registered {registered.client_id}, authorized with PKCE, called add, echo and whoami")


if __name__ == "__main__":
    try:
        # A hung flow fails too, after a bound far above its usual second.
        asyncio.run(asyncio.wait_for(main(), timeout=120))
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        raise
