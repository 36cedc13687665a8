// What the tests need besides the SDK: an OAuthClientProvider whose "browser" is a fetch that
// does not follow the authorization server's redirect, and a fetch that records every request
// the SDK makes.
import { randomBytes } from 'node:crypto';

/**
 * An in-memory `OAuthClientProvider` (the interface of `@modelcontextprotocol/sdk/client/auth.js`)
 * for a headless client: instead of opening a browser, `redirectToAuthorization` requests the
 * authorization URL itself without following the answer, checks the `state` of the redirect it
 * gets back, and keeps the authorization code for the test to pass to `transport.finishAuth`.
 * Everything the SDK hands over is recorded, for the assertions.
 */
export class HeadlessOAuthProvider {
    /**
     * @param {object} options
     * @param {string} options.redirectUrl the redirect URI the client registers and uses
     * @param {object} options.clientMetadata RFC 7591 metadata, for a dynamic registration
     * @param {string} [options.clientMetadataUrl] the URL of a Client ID Metadata Document
     */
    constructor({ redirectUrl, clientMetadata, clientMetadataUrl }) {
        this._redirectUrl = redirectUrl;
        this._clientMetadata = clientMetadata;
        if (clientMetadataUrl !== undefined) {
            this.clientMetadataUrl = clientMetadataUrl;
        }
        this._clientInformation = undefined;
        this._tokens = undefined;
        this._codeVerifier = undefined;
        this._state = undefined;
        /** Every `saveClientInformation` argument, in order. */
        this.savedClientInformation = [];
        /** Every `saveTokens` argument, in order. */
        this.savedTokens = [];
        /** Every authorization URL the SDK sent the "user" to. */
        this.authorizationUrls = [];
        /** Every `invalidateCredentials` scope, in order. */
        this.invalidated = [];
        /** The code of the last authorization, until `takeAuthorizationCode`. */
        this._code = undefined;
    }

    get redirectUrl() {
        return this._redirectUrl;
    }

    get clientMetadata() {
        return this._clientMetadata;
    }

    /** A fresh, unguessable value per authorization request, checked on the way back. */
    state() {
        this._state = randomBytes(16).toString('base64url');
        return this._state;
    }

    clientInformation() {
        return this._clientInformation;
    }

    saveClientInformation(information) {
        this.savedClientInformation.push(information);
        this._clientInformation = information;
    }

    tokens() {
        return this._tokens;
    }

    saveTokens(tokens) {
        this.savedTokens.push(tokens);
        this._tokens = tokens;
    }

    saveCodeVerifier(codeVerifier) {
        this._codeVerifier = codeVerifier;
    }

    codeVerifier() {
        if (!this._codeVerifier) {
            throw new Error('no code verifier saved');
        }
        return this._codeVerifier;
    }

    invalidateCredentials(scope) {
        this.invalidated.push(scope);
        if (scope === 'all' || scope === 'client') this._clientInformation = undefined;
        if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
        if (scope === 'all' || scope === 'verifier') this._codeVerifier = undefined;
    }

    /**
     * The user's visit to the authorization endpoint: the example server approves a demo user
     * at once and answers with a redirect to `redirect_uri`, carrying `code` and `state`.
     */
    async redirectToAuthorization(authorizationUrl) {
        const url = new URL(authorizationUrl);
        this.authorizationUrls.push(url);
        const response = await fetch(url, { redirect: 'manual' });
        const body = await response.text();
        if (response.status < 300 || response.status > 399) {
            throw new Error(`the authorization endpoint answered ${response.status}, not a redirect: ${body}`);
        }
        const location = response.headers.get('location');
        if (!location) {
            throw new Error(`the authorization endpoint answered ${response.status} without a Location header`);
        }
        const target = new URL(location, url);
        const expected = new URL(this._redirectUrl);
        if (target.origin !== expected.origin || target.pathname !== expected.pathname) {
            throw new Error(`redirected to ${target.origin}${target.pathname}, not to the redirect URI ${this._redirectUrl}`);
        }
        const params = target.searchParams;
        if (params.get('error')) {
            throw new Error(`authorization refused: ${params.get('error')} ${params.get('error_description') ?? ''}`);
        }
        if (params.get('state') !== this._state) {
            throw new Error(`the redirect's state ${params.get('state')} is not the request's ${this._state}`);
        }
        const code = params.get('code');
        if (!code) {
            throw new Error(`the redirect carries no code: ${location}`);
        }
        this._code = code;
    }

    /** The code of the last authorization; each code is handed out once. */
    takeAuthorizationCode() {
        const code = this._code;
        if (!code) {
            throw new Error('no authorization code: redirectToAuthorization was not called, or the code was taken');
        }
        this._code = undefined;
        return code;
    }
}

/**
 * A fetch that records the method, URL and status of every request, for the transport's
 * `fetch` option (the SDK makes its OAuth requests with it too).
 */
export function recordingFetch() {
    const requests = [];
    const recording = async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
        const entry = { method, url, status: undefined };
        requests.push(entry);
        const response = await fetch(input, init);
        entry.status = response.status;
        return response;
    };
    return { fetch: recording, requests };
}

/** The requests to `pathname` (with the given method, when given). */
export function requestsTo(requests, pathname, method) {
    return requests.filter(r => r.url.pathname === pathname && (method === undefined || r.method === method));
}
