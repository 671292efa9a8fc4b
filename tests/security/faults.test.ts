/**
 * Faults: a body stream that breaks midway, clients that vanish mid-request, and the app's own Auth.js
 * callbacks throwing. The kit must answer a clear 500 for a server fault (never a sign-out), keep the
 * cookie as it was, and serve the next request normally. Runs against a dedicated production server
 * started with DEMO_FAULTS=1 (src/auth.ts: a request with `x-demo-fault: jwt|session` makes that
 * callback throw), so its output can be inspected too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { CookieJar, FLAG, decodeSession, postUpdate } from '../helpers/session.js';
import { TEST_SECRET } from '../helpers/server.js';
import { expectIntact, expectProtocolError, rawHead, rawRequest, sessionCookies, signedIn, type Token } from './support.js';

let server: RunningServer;
let base: string;
const ENDPOINT = `/api/update-user-data?${FLAG}`;

beforeAll(async () => {
	server = await startServer({ DEMO_FAULTS: '1' });
	base = server.url;
});

afterAll(async () => {
	await server?.stop();
});

/** The server process is alive, answers, and never logged an unhandled error. */
async function expectHealthy() {
	expect(server.process.exitCode).toBeNull();
	const response = await fetch(`${base}/auth/providers`);
	expect(response.status).toBe(200);
	await response.arrayBuffer();
	expect(server.output()).not.toMatch(/unhandled|uncaught|ERR_INTERNAL_ASSERTION|Fatal error/i);
}

/** The session still reads normally (no cookie written), shows its data, and still takes an update. */
async function expectWorksAfterwards(jar: CookieJar, before: Token) {
	for (const path of ['/', '/profile', '/__data.json']) {
		const response = await fetch(`${base}${path}`, { headers: { cookie: jar.header() } });
		const text = await response.text();
		expect(response.status, path).toBe(200);
		expect(text, path).toContain(String(before.bio));
		expect(sessionCookies(response.headers.getSetCookie()), path).toEqual([]);
	}
	expect(await decodeSession(jar)).toStrictEqual(before);
	const next = await postUpdate(base, jar.clone(), JSON.stringify({ fav_num: '8' }));
	expect(next.status).toBe(200);
	expect(next.json.data.fav_num).toBe('8');
}

function endpointHead(jar: CookieJar, extra: Record<string, string>) {
	return rawHead('POST', base, ENDPOINT, { 'content-type': 'application/json', origin: base, cookie: jar.header(), ...extra });
}

describe('a body stream that breaks midway', () => {
	it('should keep the endpoint and pages working after half a chunked body and a destroyed socket', async () => {
		const { jar, before } = await signedIn(base);
		const half = '{"fav_num":"1","bio":"';
		const answer = await rawRequest(
			base,
			[endpointHead(jar, { 'transfer-encoding': 'chunked' }), `${half.length.toString(16)}\r\n${half}\r\n`],
			{ after: 'destroy', pause: 100 }
		);
		expect(answer.status).toBeNull();
		await expectHealthy();
		await expectWorksAfterwards(jar, before);
	});

	it('should keep the form action working after half a form body and a destroyed socket', async () => {
		const { jar, before } = await signedIn(base);
		const answer = await rawRequest(
			base,
			[
				rawHead('POST', base, '/?/updateUserData', {
					'content-type': 'application/x-www-form-urlencoded',
					origin: base,
					cookie: jar.header(),
					'content-length': '500'
				}),
				'fav_num=1&bio='
			],
			{ after: 'destroy', pause: 100 }
		);
		expect(answer.status).toBeNull();
		await expectHealthy();
		await expectWorksAfterwards(jar, before);
	});

	it('should answer 400 invalid_body when the client half-closes inside a chunked body', async () => {
		const { jar, before } = await signedIn(base);
		const half = '{"fav_num":"1"';
		const answer = await rawRequest(
			base,
			[endpointHead(jar, { 'transfer-encoding': 'chunked' }), `${half.length.toString(16)}\r\n${half}\r\n`],
			{ after: 'end', pause: 100 }
		);
		// Node may answer 400 itself on the early end; if the kit answers first, it is the protocol's 400.
		if (answer.status !== null) expect(answer.status).toBe(400);
		expect(answer.status).not.toBeGreaterThanOrEqual(500);
		expect(sessionCookies(answer.setCookies)).toEqual([]);
		await expectHealthy();
		await expectWorksAfterwards(jar, before);
	});
});

describe('clients that disconnect mid-request', () => {
	it('should survive a client that sends only the headers and leaves', async () => {
		const { jar, before } = await signedIn(base);
		await rawRequest(base, [endpointHead(jar, { 'content-length': '20' })], { after: 'destroy' });
		await expectHealthy();
		await expectWorksAfterwards(jar, before);
	});

	it('should survive a client that sends a whole update and leaves before the answer', async () => {
		const { jar, before } = await signedIn(base);
		const body = '{"fav_num":"99"}';
		await rawRequest(base, [endpointHead(jar, { 'content-length': String(body.length) }) + body], { after: 'destroy', pause: 0 });
		await expectHealthy();
		// The answer (and its cookie) never arrived: the browser's cookie is still the old, valid session.
		await expectWorksAfterwards(jar, before);
	});

	it('should survive clients leaving in the middle of server-side rendering, many at once', async () => {
		const { jar, before } = await signedIn(base);
		await Promise.all(
			Array.from({ length: 30 }, (_, i) =>
				rawRequest(base, [rawHead('GET', base, ['/', '/profile', '/__data.json'][i % 3], { cookie: jar.header() })], {
					after: 'destroy',
					pause: i % 5
				})
			)
		);
		await expectHealthy();
		await expectWorksAfterwards(jar, before);
	});
});

describe("the app's own Auth.js callbacks throw", () => {
	for (const callback of ['jwt', 'session'] as const) {
		it(`should answer 500 server_error at the endpoint when the ${callback} callback throws, write no cookie, and work on the next request`, async () => {
			const { jar, before } = await signedIn(base);
			const answer = await postUpdate(base, jar, JSON.stringify({ fav_num: '1' }), {
				headers: { 'x-demo-fault': callback },
				readOnly: true
			});
			expectProtocolError(answer, 500, 'server_error');
			// A clear message, and nothing of the internal error.
			expect(answer.json.error.message).toBe('The session could not be updated');
			expect(answer.text).not.toContain('demo fault');
			await expectIntact(jar, before, answer);
			expect(server.output()).toContain(`[sveltekit-session-sync] an Auth.js callback of the app threw: Error: demo fault: the ${callback} callback failed`);
			await expectWorksAfterwards(jar, before);
		});

		it(`should render a 500 page, not sign the user out, when the ${callback} callback throws on a page`, async () => {
			const { jar, before } = await signedIn(base);
			for (const path of ['/', '/profile']) {
				const response = await fetch(`${base}${path}`, { headers: { cookie: jar.header(), 'x-demo-fault': callback } });
				const html = await response.text();
				expect(response.status, path).toBe(500);
				expect(response.headers.get('content-type'), path).toContain('text/html');
				expect(html, path).toContain('The session could not be read');
				expect(html, path).not.toContain('demo fault');
				expect(html, path).not.toContain(String(before.access_token));
				expect(html, path).not.toContain(TEST_SECRET);
				// Auth.js asks to delete the cookie when a callback throws; the kit must drop that on a page.
				expect(sessionCookies(response.headers.getSetCookie()), path).toEqual([]);
			}
			const data = await fetch(`${base}/__data.json`, { headers: { cookie: jar.header(), 'x-demo-fault': callback } });
			const json = await data.json();
			expect(json.nodes[0].type).toBe('error');
			expect(json.nodes[0].status).toBe(500);
			expect(sessionCookies(data.headers.getSetCookie())).toEqual([]);
			await expectWorksAfterwards(jar, before);
		});

		it(`should fail the form action with 500 server_error and save nothing when the ${callback} callback throws`, async () => {
			const { jar, before } = await signedIn(base);
			const response = await fetch(`${base}/?/updateUserData`, {
				method: 'POST',
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					accept: 'application/json',
					origin: base,
					cookie: jar.header(),
					'x-demo-fault': callback
				},
				body: 'fav_num=2'
			});
			const body = await response.json();
			expect(body.type).toBe('failure');
			expect(body.status).toBe(500);
			expect(body.data).toContain('server_error');
			await expectIntact(jar, before, { setCookies: response.headers.getSetCookie() });
			await expectWorksAfterwards(jar, before);
		});
	}

	it('should keep every session intact when faults and normal requests interleave', async () => {
		const { jar, before } = await signedIn(base);
		const results = await Promise.all(
			Array.from({ length: 40 }, async (_, i) => {
				const faulty = i % 2 === 0;
				const response = await fetch(`${base}${i % 4 < 2 ? '/' : ENDPOINT}`, {
					method: i % 4 < 2 ? 'GET' : 'POST',
					headers: {
						cookie: jar.header(),
						origin: base,
						'content-type': 'application/json',
						...(faulty ? { 'x-demo-fault': 'jwt' } : {})
					},
					body: i % 4 < 2 ? undefined : '{}'
				});
				await response.arrayBuffer();
				return { faulty, status: response.status, cookies: sessionCookies(response.headers.getSetCookie()) };
			})
		);
		for (const r of results) {
			expect(r.status).toBe(r.faulty ? 500 : 200);
			expect(r.cookies).toEqual([]);
		}
		await expectHealthy();
		await expectWorksAfterwards(jar, before);
	});
});
