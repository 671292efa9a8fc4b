/**
 * Hostile-input corpus against the production build over real HTTP. Every case must get a 4xx (the
 * protocol's status and a JSON `error.code` where the kit answers; SvelteKit's own 404/405 where it
 * does), never a 5xx, and leave the session exactly as it was: no session cookie written and the jar
 * still decrypting to the very same token, iat/exp/jti included.
 */
import { describe, expect, inject, it } from 'vitest';
import { CookieJar, FLAG, SESSION_COOKIE, decodeSession, postUpdate, signIn } from '../helpers/session.js';
import {
	expectIntact,
	expectProtocolError,
	expectSameClaims,
	forgeSession,
	jsonOrNull,
	rawHead,
	rawRequest,
	sessionCookies,
	signedIn,
	type Answer,
	type Token
} from './support.js';

const base = inject('baseURL');
const strict = inject('strictURL');
const ENDPOINT = `/api/update-user-data?${FLAG}`;
const OTHER_SECRET = 'another-secret-that-this-server-has-never-seen-0123456789';

interface Case {
	/** What is sent, for the test name. */
	name: string;
	body?: string | Uint8Array | ReadableStream<Uint8Array> | null;
	/** Headers over the defaults (JSON content type, same Origin, the session cookie); `null` removes one. */
	headers?: Record<string, string | null>;
	method?: string;
	path?: string;
	server?: 'strict';
	status: number;
	/** The protocol's error code; absent where SvelteKit, not the kit, answers (404/405). */
	code?: string;
	/** Path of the first issue of a 422. */
	issue?: string[];
}

/** Send one request with full control over headers (fetch adds none we did not ask for but Host). */
async function send(url: string, jar: CookieJar | null, c: Omit<Case, 'name' | 'status'>): Promise<Answer> {
	const headers: Record<string, string> = {
		'content-type': 'application/json',
		origin: url,
		...(jar ? { cookie: jar.header() } : {})
	};
	for (const [name, value] of Object.entries(c.headers ?? {})) {
		if (value === null) delete headers[name];
		else headers[name] = value;
	}
	const stream = c.body instanceof ReadableStream;
	const response = await fetch(`${url}${c.path ?? ENDPOINT}`, {
		method: c.method ?? 'POST',
		redirect: 'manual',
		headers,
		body: c.body ?? null,
		...(stream ? { duplex: 'half' } : {})
	} as RequestInit);
	const text = await response.text();
	return { status: response.status, text, json: jsonOrNull(text), setCookies: response.headers.getSetCookie() };
}

/** A body streamed in 16 KiB chunks with no Content-Length (Transfer-Encoding: chunked). */
function streamed(text: string): ReadableStream<Uint8Array> {
	const bytes = new TextEncoder().encode(text);
	let offset = 0;
	return new ReadableStream({
		pull(controller) {
			if (offset >= bytes.length) return controller.close();
			controller.enqueue(bytes.slice(offset, offset + 16384));
			offset += 16384;
		}
	});
}

const RESERVED: Record<string, unknown> = {
	sub: 'u-grace',
	id: 'u-grace',
	email: 'grace@example.com',
	name: 'Mallory',
	image: 'https://evil.example/me.png',
	role: 'admin',
	access_token: 'stolen-token',
	iat: 0,
	exp: 4102444800,
	jti: 'replayed-jti',
	nbf: 0,
	iss: 'https://evil.example',
	aud: 'everyone',
	syncVersion: 1_000_000,
	syncId: 'someone-else',
	picture: 'https://evil.example/me.png'
};

const cases: Case[] = [
	// Bodies that are not a JSON object.
	{ name: 'a body that is not JSON', body: '{fav_num: 1', status: 400, code: 'invalid_json' },
	{ name: 'an empty body', body: '', status: 400, code: 'invalid_json' },
	{ name: 'a body of only whitespace', body: ' \n\t ', status: 400, code: 'invalid_json' },
	{ name: 'JSON null', body: 'null', status: 400, code: 'invalid_body' },
	{ name: 'an empty JSON array', body: '[]', status: 400, code: 'invalid_body' },
	{ name: 'an array holding a valid patch', body: '[{"fav_num":"1"}]', status: 400, code: 'invalid_body' },
	{ name: 'a JSON string', body: '"fav_num"', status: 400, code: 'invalid_body' },
	{ name: 'a JSON number', body: '42', status: 400, code: 'invalid_body' },
	{ name: 'a negative exponent number', body: '-0.5e10', status: 400, code: 'invalid_body' },
	{ name: 'JSON true', body: 'true', status: 400, code: 'invalid_body' },
	{ name: 'JSON false', body: 'false', status: 400, code: 'invalid_body' },
	{ name: 'an object followed by garbage', body: '{"fav_num":"1"} x', status: 400, code: 'invalid_json' },
	{ name: 'two objects back to back', body: '{}{"role":"admin"}', status: 400, code: 'invalid_json' },
	{ name: 'NaN as a value', body: '{"fav_num":NaN}', status: 400, code: 'invalid_json' },
	{ name: 'single-quoted JSON', body: "{'fav_num':'1'}", status: 400, code: 'invalid_json' },
	{ name: 'bytes that are not UTF-8', body: new Uint8Array([0x7b, 0x22, 0x62, 0x69, 0x6f, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400, code: 'invalid_json' },
	{ name: 'a byte-order mark before a read-only claim', body: '\uFEFF{"role":"admin"}', status: 422, code: 'invalid_patch', issue: ['role'] },

	// Every reserved, read-only or server-only claim.
	...Object.entries(RESERVED).map(([claim, value]): Case => ({
		name: `the read-only claim "${claim}"`,
		body: JSON.stringify({ [claim]: value }),
		status: 422,
		code: 'invalid_patch',
		issue: [claim]
	})),
	{ name: 'a read-only claim beside a valid field', body: '{"fav_num":"1","role":"admin"}', status: 422, code: 'invalid_patch', issue: ['role'] },
	{ name: 'a nested user object', body: '{"user":{"role":"admin"}}', status: 422, code: 'invalid_patch', issue: ['user'] },
	{ name: "Auth.js's data wrapper at the kit's endpoint", body: '{"data":{"role":"admin"}}', status: 422, code: 'invalid_patch', issue: ['data'] },
	{ name: 'an inherited method name (hasOwnProperty)', body: '{"hasOwnProperty":"x"}', status: 422, code: 'invalid_patch', issue: ['hasOwnProperty'] },
	{ name: 'an inherited method name (toString)', body: '{"toString":"x"}', status: 422, code: 'invalid_patch', issue: ['toString'] },

	// Prototype keys, as raw JSON text (JSON.parse makes them own properties).
	{ name: 'a top-level __proto__', body: '{"__proto__":{"role":"admin","polluted":"POLLUTED"}}', status: 422, code: 'invalid_patch', issue: ['__proto__'] },
	{ name: 'a top-level __proto__ holding writable fields', body: '{"__proto__":{"fav_num":"POLLUTED","bio":"POLLUTED","theme":"POLLUTED"}}', status: 422, code: 'invalid_patch', issue: ['__proto__'] },
	{ name: '__proto__ set to null', body: '{"__proto__":null}', status: 422, code: 'invalid_patch', issue: ['__proto__'] },
	{ name: 'constructor.prototype', body: '{"constructor":{"prototype":{"polluted":"POLLUTED","fav_num":"POLLUTED"}}}', status: 422, code: 'invalid_patch', issue: ['constructor'] },
	{ name: 'a top-level prototype', body: '{"prototype":{"polluted":"POLLUTED"}}', status: 422, code: 'invalid_patch', issue: ['prototype'] },
	{ name: '__proto__ beside a valid field', body: '{"fav_num":"1","__proto__":{"polluted":"POLLUTED"}}', status: 422, code: 'invalid_patch', issue: ['__proto__'] },
	{ name: '__proto__ inside a writable field', body: '{"bio":{"__proto__":{"polluted":"POLLUTED"}}}', status: 422, code: 'invalid_patch', issue: ['bio', '__proto__'] },
	{ name: 'constructor.prototype inside a writable field', body: '{"bio":{"constructor":{"prototype":{"polluted":"POLLUTED"}}}}', status: 422, code: 'invalid_patch', issue: ['bio', 'constructor'] },
	{ name: '__proto__ deep inside a writable field', body: '{"fav_num":{"a":{"b":{"__proto__":{"polluted":"POLLUTED"}}}}}', status: 422, code: 'invalid_patch', issue: ['fav_num', 'a', 'b', '__proto__'] },
	{ name: '__proto__ inside an array in a writable field', body: '{"theme":[{"__proto__":{"polluted":"POLLUTED"}}]}', status: 422, code: 'invalid_patch', issue: ['theme', '0', '__proto__'] },

	// Wrong types and lengths for each demo field.
	{ name: 'fav_num as a number', body: '{"fav_num":42}', status: 422, code: 'invalid_patch', issue: ['fav_num'] },
	{ name: 'fav_num as a boolean', body: '{"fav_num":true}', status: 422, code: 'invalid_patch', issue: ['fav_num'] },
	{ name: 'fav_num as an object', body: '{"fav_num":{"value":"1"}}', status: 422, code: 'invalid_patch', issue: ['fav_num'] },
	{ name: 'fav_num as an array', body: '{"fav_num":["1"]}', status: 422, code: 'invalid_patch', issue: ['fav_num'] },
	{ name: 'fav_num of 101 characters', body: JSON.stringify({ fav_num: '1'.repeat(101) }), status: 422, code: 'invalid_patch', issue: ['fav_num'] },
	{ name: 'fav_num of 51 emoji (102 UTF-16 units)', body: JSON.stringify({ fav_num: '😀'.repeat(51) }), status: 422, code: 'invalid_patch', issue: ['fav_num'] },
	{ name: 'bio of 281 characters', body: JSON.stringify({ bio: 'b'.repeat(281) }), status: 422, code: 'invalid_patch', issue: ['bio'] },
	{ name: 'bio as a number', body: '{"bio":123}', status: 422, code: 'invalid_patch', issue: ['bio'] },
	{ name: 'bio as an object', body: '{"bio":{"text":"hi"}}', status: 422, code: 'invalid_patch', issue: ['bio'] },
	{ name: 'theme outside the list', body: '{"theme":"neon"}', status: 422, code: 'invalid_patch', issue: ['theme'] },
	{ name: 'theme in the wrong case', body: '{"theme":"Dark"}', status: 422, code: 'invalid_patch', issue: ['theme'] },
	{ name: 'theme with a leading space', body: '{"theme":" dark"}', status: 422, code: 'invalid_patch', issue: ['theme'] },
	{ name: 'an empty theme', body: '{"theme":""}', status: 422, code: 'invalid_patch', issue: ['theme'] },
	{ name: 'theme as a number', body: '{"theme":0}', status: 422, code: 'invalid_patch', issue: ['theme'] },
	{ name: 'theme as an array', body: '{"theme":["dark"]}', status: 422, code: 'invalid_patch', issue: ['theme'] },

	// Duplicate keys.
	{ name: 'a duplicate key', body: '{"fav_num":"1","fav_num":"2"}', status: 400, code: 'invalid_json' },
	{ name: 'a duplicate key spelt with an escape', body: '{"theme":"dark","the\\u006de":"light"}', status: 400, code: 'invalid_json' },
	{ name: 'a duplicate read-only claim', body: '{"role":"member","role":"admin"}', status: 400, code: 'invalid_json' },
	{ name: 'a duplicate __proto__', body: '{"__proto__":{},"__proto__":{"polluted":"POLLUTED"}}', status: 400, code: 'invalid_json' },
	{ name: 'a duplicate key in a nested object', body: '{"bio":{"a":1,"a":2}}', status: 400, code: 'invalid_json' },

	// Size and depth.
	{ name: 'a 2 MB body', body: JSON.stringify({ bio: 'x'.repeat(2_000_000) }), status: 413, code: 'body_too_large' },
	{ name: 'a body one byte over 8 KiB', body: JSON.stringify({ bio: 'x'.repeat(8192 - 10 + 1) }), status: 413, code: 'body_too_large' },
	{ name: 'JSON nested 10,000 levels deep', body: `{"bio":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, status: 413, code: 'body_too_large' },
	{ name: 'arrays nested 4,000 levels deep inside a field (under the body limit)', body: `{"bio":${'['.repeat(4000)}${']'.repeat(4000)}}`, status: 422, code: 'invalid_patch', issue: ['bio'] },
	{ name: 'objects nested 1,300 levels deep inside a field', body: `{"bio":${'{"a":'.repeat(1300)}1${'}'.repeat(1300)}}`, status: 422, code: 'invalid_patch', issue: ['bio'] },
	{ name: 'a top-level array nested 4,000 levels deep', body: `${'['.repeat(4000)}${']'.repeat(4000)}`, status: 400, code: 'invalid_body' },
	{ name: 'many unknown keys', body: JSON.stringify(Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i]))), status: 422, code: 'invalid_patch', issue: ['k0'] },
	{ name: 'a patch that pushes the cookie past 1000 characters (é × 280)', server: 'strict', body: JSON.stringify({ bio: 'é'.repeat(280) }), status: 413, code: 'cookie_too_large' },
	{ name: 'a patch that fills every field to its maximum on a 1000-character budget', server: 'strict', body: JSON.stringify({ fav_num: '9'.repeat(100), bio: 'b'.repeat(280), theme: 'system' }), status: 413, code: 'cookie_too_large' },

	// Content types.
	{ name: 'text/plain', body: '{"fav_num":"1"}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
	{ name: 'text/plain with an application/json parameter', body: '{"fav_num":"1"}', headers: { 'content-type': 'text/plain; x=application/json' }, status: 415, code: 'unsupported_media_type' },
	{ name: 'a form-encoded body', body: 'fav_num=1&role=admin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
	{ name: 'a multipart body', body: '--x\r\nContent-Disposition: form-data; name="fav_num"\r\n\r\n1\r\n--x--\r\n', headers: { 'content-type': 'multipart/form-data; boundary=x' }, status: 415, code: 'unsupported_media_type' },
	{ name: 'no content type at all', body: new TextEncoder().encode('{"fav_num":"1"}'), headers: { 'content-type': null }, status: 415, code: 'unsupported_media_type' },
	{ name: 'application/json-patch+json', body: '[{"op":"add","path":"/role","value":"admin"}]', headers: { 'content-type': 'application/json-patch+json' }, status: 415, code: 'unsupported_media_type' },
	{ name: 'a look-alike type (application/jsonx)', body: '{"fav_num":"1"}', headers: { 'content-type': 'application/jsonx' }, status: 415, code: 'unsupported_media_type' },
	{ name: 'a list of types', body: '{"fav_num":"1"}', headers: { 'content-type': 'application/json, text/plain' }, status: 415, code: 'unsupported_media_type' },

	// Origins.
	{ name: 'a foreign Origin', body: '{"fav_num":"1"}', headers: { origin: 'https://evil.example' }, status: 403, code: 'forbidden_origin' },
	{ name: 'the null Origin', body: '{"fav_num":"1"}', headers: { origin: 'null' }, status: 403, code: 'forbidden_origin' },
	{ name: 'an Origin that only starts like this site', body: '{"fav_num":"1"}', headers: { origin: `${base}.evil.example` }, status: 403, code: 'forbidden_origin' },
	{ name: 'an Origin on another port', body: '{"fav_num":"1"}', headers: { origin: 'http://127.0.0.1:1' }, status: 403, code: 'forbidden_origin' },
	{ name: 'an Origin with another scheme', body: '{"fav_num":"1"}', headers: { origin: base.replace('http:', 'https:') }, status: 403, code: 'forbidden_origin' },
	{ name: 'an Origin naming localhost instead of 127.0.0.1', body: '{"fav_num":"1"}', headers: { origin: base.replace('127.0.0.1', 'localhost') }, status: 403, code: 'forbidden_origin' },

	// Methods (SvelteKit answers 405 itself: no JSON body to check).
	...['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map((method): Case => ({
		name: `${method} with the flag`,
		method,
		body: method === 'GET' || method === 'HEAD' ? null : '{"role":"admin"}',
		status: 405
	})),
	{ name: 'the flag without the endpoint path (a sub-path)', path: `/api/update-user-data/extra?${FLAG}`, body: '{"role":"admin"}', status: 404 },
	{ name: 'the endpoint without the flag', path: '/api/update-user-data', body: '{"fav_num":"1"}', status: 400, code: 'flag_required' },
	{ name: 'the endpoint with a wrong flag value', path: '/api/update-user-data?query=update-user-data2', body: '{"fav_num":"1"}', status: 400, code: 'flag_required' }
];

describe('hostile input to the update endpoint', () => {
	for (const c of cases) {
		it(`should answer ${c.status}${c.code ? ` ${c.code}` : ''} to ${c.name} and keep the session intact`, async () => {
			const url = c.server === 'strict' ? strict : base;
			const { jar, before } = await signedIn(url);
			const answer = await send(url, jar, c);
			if (c.code) {
				expectProtocolError(answer, c.status, c.code);
			} else {
				expect(answer.status).toBe(c.status);
			}
			if (c.issue) expect(answer.json.error.issues[0].path).toEqual(c.issue);
			await expectIntact(jar, before, answer);
		});
	}

	it('should answer 413 body_too_large to a 2 MB body streamed without a Content-Length', async () => {
		// Regression: the kit used to cancel the body stream, and adapter-node then destroyed the socket
		// before the 413 went out, so the client saw a connection reset instead of the protocol's answer.
		const { jar, before } = await signedIn(base);
		for (let i = 0; i < 3; i++) {
			const answer = await send(base, jar, { body: streamed(JSON.stringify({ bio: 'x'.repeat(2_000_000) })) });
			expectProtocolError(answer, 413, 'body_too_large');
			await expectIntact(jar, before, answer);
		}
	});

	it('should answer 413 body_too_large to JSON nested 10,000 levels deep, streamed without a Content-Length', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, { body: streamed(`{"bio":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`) });
		expectProtocolError(answer, 413, 'body_too_large');
		await expectIntact(jar, before, answer);
	});
});

describe('hostile cookies', () => {
	const cookieCases: Array<{ name: string; value: () => Promise<string> }> = [
		{ name: 'a garbage value', value: async () => 'not-a-session' },
		{ name: 'an empty value', value: async () => '' },
		{
			name: 'a tampered cookie',
			value: async () => {
				const value = (await signIn(base)).session()!;
				const at = Math.floor(value.length / 2);
				return value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
			}
		},
		{
			name: 'a cookie encrypted with another secret',
			value: () => forgeSession({ sub: 'u-ada', name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin' }, { secret: OTHER_SECRET })
		},
		{
			name: 'an expired session (encrypted with the right secret)',
			value: () => forgeSession({ sub: 'u-ada', name: 'Ada Lovelace', email: 'ada@example.com', role: 'member' }, { maxAge: -3600 })
		},
		{
			name: 'an unsecured JWT (alg none)',
			value: async () =>
				`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u-ada","role":"admin"}').toString('base64url')}.`
		}
	];

	it('should answer 401 unauthenticated without a cookie and set none', async () => {
		const answer = await send(base, null, { body: '{"fav_num":"1"}' });
		expectProtocolError(answer, 401, 'unauthenticated');
		expect(sessionCookies(answer.setCookies)).toEqual([]);
	});

	for (const c of cookieCases) {
		it(`should answer 401 unauthenticated to ${c.name} and leave the cookie as it was`, async () => {
			const jar = new CookieJar();
			const value = await c.value();
			jar.cookies.set(SESSION_COOKIE, value);
			const answer = await send(base, jar, { body: '{"fav_num":"1"}' });
			expectProtocolError(answer, 401, 'unauthenticated');
			// Not even the deletion Auth.js asks for when it cannot read a session: the endpoint writes
			// no cookie at all on failure.
			expect(sessionCookies(answer.setCookies)).toEqual([]);
			expect(jar.session()).toBe(value);
		});
	}
});

describe('request bodies that lie about their length (raw sockets)', () => {
	async function expectStillServed(jar: CookieJar, before: Token) {
		const response = await fetch(`${base}/__data.json`, { headers: { cookie: jar.header() } });
		const text = await response.text();
		expect(response.status).toBe(200);
		expect(text).toContain(String(before.bio));
		expect(sessionCookies(response.headers.getSetCookie())).toEqual([]);
		expect(await decodeSession(jar)).toStrictEqual(before);
	}

	function head(jar: CookieJar, extra: Record<string, string>) {
		return rawHead('POST', base, ENDPOINT, { 'content-type': 'application/json', origin: base, cookie: jar.header(), ...extra });
	}

	it('should never answer 5xx when Content-Length is larger than the body and the client then closes', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await rawRequest(base, [head(jar, { 'content-length': '100' }), '{"role":"admin","fav_num":'], { after: 'end' });
		// Node itself may answer 400 before the kit sees the truncated body; the kit's answer would be 400 too.
		if (answer.status !== null) expect(answer.status).toBe(400);
		expect(sessionCookies(answer.setCookies)).toEqual([]);
		await expectStillServed(jar, before);
	});

	it('should keep serving when Content-Length is larger than the body and the client then disappears', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await rawRequest(base, [head(jar, { 'content-length': '100' }), '{"fav_num":"1"'], { after: 'destroy' });
		expect(answer.status).toBeNull();
		await expectStillServed(jar, before);
	});

	it('should answer 400 invalid_json when Content-Length is smaller than the body (the rest sent later)', async () => {
		const { jar, before } = await signedIn(base);
		const body = '{"fav_num":"1","role":"admin"}';
		const answer = await rawRequest(base, [head(jar, { 'content-length': '11' }) + body.slice(0, 11), body.slice(11)], { pause: 300 });
		expect(answer.status).toBe(400);
		expect(jsonOrNull(answer.body)?.error?.code).toBe('invalid_json');
		expect(sessionCookies(answer.setCookies)).toEqual([]);
		await expectStillServed(jar, before);
	});

	it('should answer 400 and never 5xx when Content-Length is smaller than a body sent in one piece', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await rawRequest(base, [head(jar, { 'content-length': '2' }) + '{"role":"admin"}']);
		// The surplus is parsed as a second request: Node answers 400 and closes, or the kit answers
		// 400 invalid_json for `{"` first. Either way nothing is written.
		expect(answer.status).toBe(400);
		expect(sessionCookies(answer.setCookies)).toEqual([]);
		await expectStillServed(jar, before);
	});

	it('should answer 400 to malformed chunked encoding', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await rawRequest(base, [head(jar, { 'transfer-encoding': 'chunked' }) + 'zz\r\n{"fav_num":"1"}\r\n0\r\n\r\n']);
		expect(answer.status).toBe(400);
		expect(sessionCookies(answer.setCookies)).toEqual([]);
		await expectStillServed(jar, before);
	});
});

describe('the flag on other routes never updates the session', () => {
	it('should not update on POST / with the flag as a query parameter', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, { path: `/?${FLAG}`, body: '{"role":"admin","fav_num":"1"}' });
		expect(answer.status).toBe(404);
		await expectIntact(jar, before, answer);
	});

	it('should not update on POST / with the flag as a header', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, { path: '/', headers: { query: 'update-user-data' }, body: '{"role":"admin","fav_num":"1"}' });
		expect(answer.status).toBe(404);
		await expectIntact(jar, before, answer);
	});

	it('should refuse a read-only field posted to the form action with the flag (422, nothing saved)', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, {
			path: `/?/updateUserData&${FLAG}`,
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
			body: new URLSearchParams({
				__session_sync_fields: '{"role":"text","fav_num":"text","__proto__":"text"}',
				role: 'admin',
				fav_num: '1'
			}).toString()
		});
		expect(answer.json.type).toBe('failure');
		expect(answer.json.status).toBe(422);
		expect(answer.text).toContain('invalid_patch');
		await expectIntact(jar, before, answer);
	});

	it('should answer 405 to POST /profile with the flag', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, { path: `/profile?${FLAG}`, body: '{"role":"admin"}' });
		expect(answer.status).toBe(405);
		await expectIntact(jar, before, answer);
	});

	it('should only read on POST /__data.json with the flag', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, { path: `/__data.json?${FLAG}`, body: '{"role":"admin","fav_num":"1"}' });
		expect(answer.status).toBeLessThan(500);
		expect(answer.text).not.toContain('admin');
		await expectIntact(jar, before, answer);
	});

	it('should only read on GET / with the flag', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, { path: `/?${FLAG}`, method: 'GET', headers: { 'content-type': null } });
		expect(answer.status).toBe(200);
		await expectIntact(jar, before, answer);
	});

	it("should not merge a hostile body posted to /auth/session with the flag (claims unchanged but Auth.js's iat/exp/jti)", async () => {
		const { jar, before } = await signedIn(base);
		const answer = await send(base, jar, { path: `/auth/session?${FLAG}`, body: '{"role":"admin","fav_num":"1","data":{"role":"admin"}}' });
		expect(answer.status).toBe(200);
		expect(answer.text).not.toContain('admin');
		await expectSameClaims(jar, before, answer);
	});
});

describe("Auth.js's native update path (POST /auth/session) with hostile data", () => {
	// Auth.js re-issues the cookie on this path whatever the callbacks do, refreshing iat, exp and jti:
	// these tests compare every other claim.
	const hostile: Array<{ name: string; body: string; headers?: Record<string, string | null> }> = [
		{ name: 'a role', body: '{"data":{"role":"admin"}}' },
		{ name: 'a subject', body: '{"data":{"sub":"u-grace","email":"grace@example.com"}}' },
		{ name: 'the version claim', body: '{"data":{"syncVersion":999,"syncId":"x"}}' },
		{ name: 'a valid field beside a read-only one', body: '{"data":{"fav_num":"1","role":"admin"}}' },
		{ name: 'a raw __proto__', body: '{"data":{"__proto__":{"role":"admin","polluted":"POLLUTED"}}}' },
		{ name: 'constructor.prototype', body: '{"data":{"constructor":{"prototype":{"polluted":"POLLUTED"}}}}' },
		{ name: '__proto__ inside a writable field', body: '{"data":{"bio":{"__proto__":{"polluted":"POLLUTED"}}}}' },
		{ name: 'an array', body: '{"data":[{"role":"admin"},{"fav_num":"1"}]}' },
		{ name: 'a string', body: '{"data":"admin"}' },
		{ name: 'a number', body: '{"data":42}' },
		{ name: 'a 400 kB string', body: JSON.stringify({ data: { bio: 'x'.repeat(400_000) } }) },
		{ name: 'a field of the wrong type', body: '{"data":{"theme":"neon"}}' },
		{ name: 'a valid patch from a foreign Origin', body: '{"data":{"theme":"light"}}', headers: { origin: 'https://evil.example' } },
		{ name: 'a valid patch from the null Origin', body: '{"data":{"theme":"light"}}', headers: { origin: 'null' } }
	];

	for (const c of hostile) {
		it(`should ignore ${c.name} and keep every claim`, async () => {
			const { jar, before } = await signedIn(base);
			const answer = await send(base, jar, { path: '/auth/session', body: c.body, headers: c.headers });
			expect(answer.status).toBe(200);
			expect(answer.text).not.toContain('admin');
			expect(answer.text).not.toContain('POLLUTED');
			await expectSameClaims(jar, before, answer);
		});
	}
});

describe('no prototype pollution in the server process', () => {
	// Runs after the corpus above (tests in a file run in order), which sent every pollution payload to
	// the endpoint, the form action and /auth/session of this same server.
	it('should show no polluted property to a user who never set a field', async () => {
		for (const body of [
			'{"__proto__":{"fav_num":"POLLUTED","bio":"POLLUTED","theme":"POLLUTED","polluted":"POLLUTED"}}',
			'{"constructor":{"prototype":{"fav_num":"POLLUTED","bio":"POLLUTED"}}}',
			'{"bio":{"__proto__":{"theme":"POLLUTED"}}}'
		]) {
			await postUpdate(base, await signIn(base, 'grace'), body);
		}
		const jar = await signIn(base, 'grace');
		// /profile renders `user.fav_num ?? '—'`: an inherited value would show up here.
		const page = await (await fetch(`${base}/profile`, { headers: { cookie: jar.header() } })).text();
		expect(page).not.toContain('POLLUTED');
		expect(page.match(/data-field="(fav_num|bio|theme)"[^>]*>—</g)).toHaveLength(3);
		for (const path of ['/', '/__data.json', '/auth/session']) {
			const text = await (await fetch(`${base}${path}`, { headers: { cookie: jar.header() } })).text();
			expect(text, path).not.toContain('POLLUTED');
		}
		const answer = await postUpdate(base, jar, '{}');
		expect(answer.status).toBe(200);
		expect(answer.json.data).toStrictEqual({ name: 'Grace Hopper', email: 'grace@example.com', image: '/avatars/grace.svg' });
	});
});
