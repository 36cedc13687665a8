// The official MCP TypeScript SDK, as a new MCP client, against the example server
// (examples/axum_app built with `--features mcp`). Run by scripts/mcp-sdk, which starts the
// servers and passes them in the environment:
//   MCP_SDK_SERVER_URL       the example server, as a user first runs it (`--addr 127.0.0.1:0`);
//   MCP_SDK_CIMD_SERVER_URL  the same example in test mode for client ID metadata documents
//                            (`--client-id-metadata-documents --test-fetch-root-cert CA`);
//   MCP_SDK_TLS_CERT, MCP_SDK_TLS_KEY
//                            the certificate (for IP 127.0.0.1, issued by that CA) and key of
//                            the HTTPS server that serves the metadata document.
// Without the CIMD variables the metadata-document scenario is skipped, except under CI=true,
// where it fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { HeadlessOAuthProvider, recordingFetch, requestsTo } from './headless.mjs';

const CI = process.env.CI === 'true';
// A loopback redirect URI, as a native MCP client uses (RFC 8252): nothing listens there, the
// headless provider reads the redirect instead of following it.
const REDIRECT_URL = 'http://127.0.0.1:8090/callback';
const TEST_TIMEOUT = 60_000;

/** The base URL (no trailing slash) in `name`; fails when it is not set. */
function serverUrl(name) {
    const value = process.env[name];
    assert.ok(value, `${name} is not set: run the tests with scripts/mcp-sdk`);
    return value.replace(/\/+$/, '');
}

/** A JSON document fetched with GET: 200 and `application/json`. */
async function getJson(url) {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    const body = await response.text();
    assert.equal(response.status, 200, `GET ${url}: ${response.status} ${body}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json\b/, `GET ${url}: content type`);
    return JSON.parse(body);
}

/** An MCP `initialize` request, as the SDK sends it first. */
function initializeRequest() {
    return {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'no-token', version: '0.0.0' },
        },
    };
}

/** POST /mcp with `headers`, as the streamable HTTP transport does. */
function postMcp(base, headers = {}) {
    return fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...headers,
        },
        body: JSON.stringify(initializeRequest()),
    });
}

/**
 * The SDK's documented flow for a client that must authorize: connect (the transport meets
 * the 401, discovers, registers when it must, and sends the user to the authorization URL,
 * then throws UnauthorizedError), finish the authorization with the code of the redirect, and
 * connect again with a new transport on the same provider.
 */
async function connectWithAuthorization({ base, provider, fetchFn }) {
    const client = new Client({ name: 'tower-oidc-registration-e2e', version: '1.0.0' }, { capabilities: {} });
    const url = new URL(`${base}/mcp`);
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: fetchFn });
    await assert.rejects(client.connect(first), UnauthorizedError, 'the first connection must need authorization');
    assert.equal(provider.authorizationUrls.length, 1, 'the SDK sent the user to the authorization endpoint once');
    await first.finishAuth(provider.takeAuthorizationCode());
    await first.close();

    const second = new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: fetchFn });
    await client.connect(second);
    return client;
}

/** The authorization request the SDK made: PKCE S256, this client, this redirect URI. */
function assertAuthorizationRequest(authorizationUrl, { metadata, clientId, resource }) {
    const params = authorizationUrl.searchParams;
    assert.equal(`${authorizationUrl.origin}${authorizationUrl.pathname}`, metadata.authorization_endpoint);
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('client_id'), clientId);
    assert.equal(params.get('redirect_uri'), REDIRECT_URL);
    assert.equal(params.get('code_challenge_method'), 'S256');
    // A SHA-256 digest in base64url: 43 characters.
    assert.match(params.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(params.get('resource'), resource, 'the RFC 8707 resource indicator is the protected resource');
}

/** The tokens the SDK got from the token endpoint: a bearer access token. */
function assertBearerTokens(provider) {
    assert.equal(provider.savedTokens.length, 1, 'one token response saved');
    const [tokens] = provider.savedTokens;
    assert.equal(typeof tokens.access_token, 'string');
    assert.ok(tokens.access_token.length > 0);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
}

/** The text of a tool result, which must not be an error. */
function resultText(name, result) {
    assert.notEqual(result.isError, true, `${name} failed: ${JSON.stringify(result)}`);
    return result.content
        .filter(c => c.type === 'text')
        .map(c => c.text)
        .join('');
}

/**
 * The server's tools, listed and called through the authorized session: `echo` sends its text
 * back, `add` adds, and `whoami` names the client the access token was issued to, which must be
 * this client.
 */
async function assertToolsWork(client, clientId) {
    const { tools } = await client.listTools();
    const names = tools.map(t => t.name).sort();
    for (const name of ['add', 'echo', 'whoami']) {
        assert.ok(names.includes(name), `the server lists ${name}; it lists: ${names.join(', ')}`);
    }

    const text = `hello ${randomBytes(6).toString('hex')}`;
    assert.equal(resultText('echo', await client.callTool({ name: 'echo', arguments: { text } })), text);

    const a = 1000 + Math.floor(Math.random() * 1000);
    const b = 1000 + Math.floor(Math.random() * 1000);
    const sum = resultText('add', await client.callTool({ name: 'add', arguments: { a, b } }));
    assert.equal(Number(sum), a + b, `add(${a}, ${b}) answered ${sum}`);

    const whoami = JSON.parse(resultText('whoami', await client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(whoami.client_id, clientId, 'the access token was issued to this client');
}

describe('a new MCP client that registers (RFC 9728, RFC 8414, RFC 7591, PKCE)', () => {
    let base;
    before(() => {
        base = serverUrl('MCP_SDK_SERVER_URL');
    });

    test('/mcp without a token: 401 pointing at the protected resource metadata', { timeout: TEST_TIMEOUT }, async () => {
        const response = await postMcp(base);
        await response.text();
        assert.equal(response.status, 401);
        const challenge = response.headers.get('www-authenticate') ?? '';
        assert.match(challenge, /^Bearer\b/i, `WWW-Authenticate: ${challenge}`);
        const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
        assert.equal(metadataUrl, `${base}/.well-known/oauth-protected-resource/mcp`, `WWW-Authenticate: ${challenge}`);

        // What the challenge points at: the resource, and its authorization server, which
        // publishes a registration endpoint for public clients using PKCE.
        const resource = await getJson(metadataUrl);
        assert.equal(resource.resource, `${base}/mcp`);
        assert.ok(Array.isArray(resource.authorization_servers) && resource.authorization_servers.length > 0);
        const issuer = resource.authorization_servers[0];
        const metadata = await getJson(new URL('/.well-known/oauth-authorization-server', issuer));
        assert.equal(metadata.issuer, issuer);
        assert.ok(metadata.registration_endpoint, 'a registration endpoint');
        assert.ok(metadata.code_challenge_methods_supported?.includes('S256'), 'PKCE S256');
        assert.ok(metadata.token_endpoint_auth_methods_supported?.includes('none'), 'public clients');
    });

    test('/mcp with a token the server never issued: 401', { timeout: TEST_TIMEOUT }, async () => {
        const response = await postMcp(base, { authorization: `Bearer ${randomBytes(24).toString('base64url')}` });
        await response.text();
        assert.equal(response.status, 401);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer\b/i);
    });

    test('discovers, registers, authorizes, lists and calls tools, then refreshes its token', { timeout: TEST_TIMEOUT }, async () => {
        const recorder = recordingFetch();
        const provider = new HeadlessOAuthProvider({
            redirectUrl: REDIRECT_URL,
            clientMetadata: {
                client_name: 'MCP SDK end-to-end test',
                redirect_uris: [REDIRECT_URL],
                grant_types: ['authorization_code', 'refresh_token'],
                response_types: ['code'],
                token_endpoint_auth_method: 'none',
            },
        });

        const client = await connectWithAuthorization({ base, provider, fetchFn: recorder.fetch });
        try {
            const { requests } = recorder;
            // The discovery the SDK made from the 401: RFC 9728, then RFC 8414.
            assert.equal(requests[0].url.pathname, '/mcp');
            assert.equal(requests[0].status, 401, 'the first request to /mcp carried no token');
            const resourceMetadata = requestsTo(requests, '/.well-known/oauth-protected-resource/mcp', 'GET');
            assert.ok(resourceMetadata.some(r => r.status === 200), 'protected resource metadata fetched');
            const metadataUrl = `${base}/.well-known/oauth-authorization-server`;
            const metadata = await getJson(metadataUrl);
            assert.ok(
                requests.some(r => r.method === 'GET' && r.url.href === metadataUrl && r.status === 200),
                'authorization server metadata fetched',
            );

            // One RFC 7591 registration, of a public client.
            const registrations = requestsTo(requests, new URL(metadata.registration_endpoint).pathname, 'POST');
            assert.deepEqual(registrations.map(r => r.status), [201], 'registered once');
            assert.equal(provider.savedClientInformation.length, 1, 'client information saved once');
            const [registered] = provider.savedClientInformation;
            assert.equal(typeof registered.client_id, 'string');
            assert.ok(registered.client_id.length > 0);
            assert.equal(registered.token_endpoint_auth_method, 'none');
            assert.equal(registered.client_secret, undefined, 'a public client gets no secret');
            assert.deepEqual(registered.redirect_uris, [REDIRECT_URL]);

            assertAuthorizationRequest(provider.authorizationUrls[0], {
                metadata,
                clientId: registered.client_id,
                resource: `${base}/mcp`,
            });
            const tokenRequests = requestsTo(requests, new URL(metadata.token_endpoint).pathname, 'POST');
            assert.deepEqual(tokenRequests.map(r => r.status), [200], 'one code exchange');
            assertBearerTokens(provider);
            assert.deepEqual(provider.invalidated, [], 'no credentials thrown away on the way');

            await assertToolsWork(client, registered.client_id);
            // The authorized session: every /mcp request after the token was accepted.
            const afterToken = requests.slice(requests.indexOf(tokenRequests[0]) + 1);
            const mcpAfterToken = requestsTo(afterToken, '/mcp');
            assert.ok(mcpAfterToken.length > 0);
            assert.deepEqual(mcpAfterToken.filter(r => r.status === 401 || r.status === 403), []);
        } finally {
            await client.close();
        }

        // Later, the SDK renews the access token with the refresh token (auth() with stored
        // tokens), without sending the user to the authorization endpoint again.
        const [first] = provider.savedTokens;
        assert.ok(first.refresh_token, 'a refresh token, for a client registered with the refresh_token grant');
        const tokenRequestsBefore = requestsTo(recorder.requests, '/token', 'POST').length;
        const result = await auth(provider, { serverUrl: new URL(`${base}/mcp`), fetchFn: recorder.fetch });
        assert.equal(result, 'AUTHORIZED');
        assert.equal(provider.authorizationUrls.length, 1, 'no new authorization');
        assert.equal(requestsTo(recorder.requests, '/token', 'POST').length, tokenRequestsBefore + 1, 'one refresh');
        assert.equal(provider.savedTokens.length, 2, 'the refreshed tokens saved');
        const refreshed = provider.savedTokens[1];
        assert.notEqual(refreshed.access_token, first.access_token, 'a new access token');
        assert.ok(refreshed.refresh_token && refreshed.refresh_token !== first.refresh_token, 'the refresh token rotated');

        // A new session with the renewed token.
        const again = new Client({ name: 'tower-oidc-registration-e2e', version: '1.0.0' }, { capabilities: {} });
        await again.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: provider, fetch: recorder.fetch }));
        try {
            const whoami = JSON.parse(resultText('whoami', await again.callTool({ name: 'whoami', arguments: {} })));
            assert.equal(whoami.client_id, provider.savedClientInformation[0].client_id);
        } finally {
            await again.close();
        }
        assert.equal(provider.authorizationUrls.length, 1, 'still no new authorization');
    });
});

describe('a new MCP client with a client ID metadata document (no registration)', () => {
    let base;
    let documentServer;
    let documentUrl;
    let documentFetches = 0;
    let missing;

    before(async () => {
        const names = ['MCP_SDK_CIMD_SERVER_URL', 'MCP_SDK_TLS_CERT', 'MCP_SDK_TLS_KEY'];
        const unset = names.filter(name => !process.env[name]);
        if (unset.length > 0) {
            missing = `${unset.join(', ')} not set (scripts/mcp-sdk sets them when the server supports client ID metadata documents)`;
            return;
        }
        base = serverUrl('MCP_SDK_CIMD_SERVER_URL');
        // The client's metadata document, on HTTPS at a URL that is its own client_id.
        documentServer = createServer(
            { cert: readFileSync(process.env.MCP_SDK_TLS_CERT), key: readFileSync(process.env.MCP_SDK_TLS_KEY) },
            (request, response) => {
                const path = new URL(request.url, documentUrl).pathname;
                if (request.method === 'GET' && path === '/client.json') {
                    documentFetches += 1;
                    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
                    response.end(
                        JSON.stringify({
                            client_id: documentUrl,
                            client_name: 'MCP SDK end-to-end test (metadata document)',
                            redirect_uris: [REDIRECT_URL],
                            grant_types: ['authorization_code', 'refresh_token'],
                            response_types: ['code'],
                            token_endpoint_auth_method: 'none',
                        }),
                    );
                } else {
                    response.writeHead(404, { 'content-type': 'text/plain' });
                    response.end('not found');
                }
            },
        );
        await new Promise((resolve, reject) => {
            documentServer.once('error', reject);
            documentServer.listen(0, '127.0.0.1', resolve);
        });
        documentUrl = `https://127.0.0.1:${documentServer.address().port}/client.json`;
    });

    after(async () => {
        if (documentServer) {
            await new Promise(resolve => documentServer.close(resolve));
        }
    });

    /** Skips outside CI when the environment lacks what the scenario needs; fails under CI. */
    function requireSetup(t) {
        if (!missing) return true;
        assert.ok(!CI, `CI=true: not skipping: ${missing}`);
        t.skip(missing);
        return false;
    }

    test('the authorization server advertises client ID metadata documents', { timeout: TEST_TIMEOUT }, async t => {
        if (!requireSetup(t)) return;
        const metadata = await getJson(`${base}/.well-known/oauth-authorization-server`);
        assert.equal(metadata.client_id_metadata_document_supported, true);
        assert.ok(metadata.token_endpoint_auth_methods_supported?.includes('none'), 'public clients');
    });

    test('authorizes with the document URL as client_id, then lists and calls tools', { timeout: TEST_TIMEOUT }, async t => {
        if (!requireSetup(t)) return;
        const recorder = recordingFetch();
        const provider = new HeadlessOAuthProvider({
            redirectUrl: REDIRECT_URL,
            clientMetadataUrl: documentUrl,
            // What the SDK would register if the server did not take the document: the test
            // fails if it does (no request to the registration endpoint is allowed).
            clientMetadata: {
                client_name: 'MCP SDK end-to-end test (metadata document)',
                redirect_uris: [REDIRECT_URL],
                grant_types: ['authorization_code', 'refresh_token'],
                response_types: ['code'],
                token_endpoint_auth_method: 'none',
            },
        });
        const metadata = await getJson(`${base}/.well-known/oauth-authorization-server`);
        const fetchesBefore = documentFetches;

        const client = await connectWithAuthorization({ base, provider, fetchFn: recorder.fetch });
        try {
            const { requests } = recorder;
            assert.equal(requests[0].status, 401, 'the first request to /mcp carried no token');
            assert.deepEqual(
                requestsTo(requests, new URL(metadata.registration_endpoint).pathname),
                [],
                'no request to the registration endpoint',
            );
            assert.deepEqual(provider.savedClientInformation.map(c => c.client_id), [documentUrl], 'the client_id is the document URL');
            assert.equal(provider.savedClientInformation[0].client_secret, undefined);
            assertAuthorizationRequest(provider.authorizationUrls[0], { metadata, clientId: documentUrl, resource: `${base}/mcp` });
            assert.ok(documentFetches > fetchesBefore, 'the authorization server fetched the metadata document');
            const tokenRequests = requestsTo(requests, new URL(metadata.token_endpoint).pathname, 'POST');
            assert.deepEqual(tokenRequests.map(r => r.status), [200], 'one code exchange');
            assertBearerTokens(provider);

            await assertToolsWork(client, documentUrl);
        } finally {
            await client.close();
        }
    });

    test('a redirect URI the document does not list is never redirected to', { timeout: TEST_TIMEOUT }, async t => {
        if (!requireSetup(t)) return;
        const metadata = await getJson(`${base}/.well-known/oauth-authorization-server`);
        /** The authorization endpoint's answer to this client with `redirectUri`, not followed. */
        const authorize = async redirectUri => {
            const url = new URL(metadata.authorization_endpoint);
            url.search = new URLSearchParams({
                response_type: 'code',
                client_id: documentUrl,
                redirect_uri: redirectUri,
                state: randomBytes(8).toString('hex'),
                code_challenge: randomBytes(32).toString('base64url'),
                code_challenge_method: 'S256',
            }).toString();
            const response = await fetch(url, { redirect: 'manual' });
            await response.text();
            return { status: response.status, location: response.headers.get('location') };
        };
        // The same request with the document's redirect URI is approved: the refusal below is
        // about the redirect URI, not the request.
        const listed = await authorize(REDIRECT_URL);
        assert.equal(listed.status, 302, `the listed redirect URI: ${JSON.stringify(listed)}`);
        assert.ok(listed.location?.startsWith(`${REDIRECT_URL}?`), `the listed redirect URI: ${JSON.stringify(listed)}`);

        const elsewhere = 'http://127.0.0.1:8091/stolen';
        const unlisted = await authorize(elsewhere);
        assert.ok(
            !unlisted.location?.startsWith(elsewhere),
            `the authorization endpoint redirected to an unlisted redirect URI: ${JSON.stringify(unlisted)}`,
        );
        assert.ok(unlisted.status >= 400 && unlisted.status < 500, `an error, not ${JSON.stringify(unlisted)}`);
    });
});
