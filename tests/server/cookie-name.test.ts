import { decode } from '@auth/core/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieMatcher } from '../../src/lib/server/request-state.js';
import { TEST_SECRET, startServer, type RunningServer } from '../helpers/server.js';
import { CookieJar, postUpdate } from '../helpers/session.js';

const NAME = 'demo.session';

describe('sessionCookieMatcher', () => {
	it("should match Auth.js's default cookie, its secure form and its chunks only", () => {
		const matches = sessionCookieMatcher();
		for (const name of ['authjs.session-token', '__Secure-authjs.session-token', 'authjs.session-token.0', 'authjs.session-token.12']) {
			expect(matches(name), name).toBe(true);
		}
		for (const name of ['authjs.session-token.x', 'authjs.csrf-token', 'xauthjs.session-token', 'authjs.callback-url']) {
			expect(matches(name), name).toBe(false);
		}
	});

	it('should match a custom name and its chunks only', () => {
		const matches = sessionCookieMatcher(NAME);
		expect([NAME, `${NAME}.0`, `${NAME}.3`].every(matches)).toBe(true);
		expect([`${NAME}.a`, 'authjs.session-token', `${NAME}x`].some(matches)).toBe(false);
	});
});

describe('a custom session cookie name', () => {
	let known: RunningServer;
	let unknown: RunningServer;

	beforeAll(async () => {
		[known, unknown] = await Promise.all([
			startServer({ DEMO_COOKIE_NAME: NAME, DEMO_COOKIE_NAME_KNOWN: '1' }),
			startServer({ DEMO_COOKIE_NAME: NAME })
		]);
	});
	afterAll(async () => {
		await Promise.all([known?.stop(), unknown?.stop()]);
	});

	async function signInTo(url: string) {
		const jar = new CookieJar();
		const response = await fetch(`${url}/auth/callback/credentials`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
			body: new URLSearchParams({ username: 'ada', password: 'demo', callbackUrl: '/' })
		});
		jar.take(response);
		expect(jar.cookies.has(NAME)).toBe(true);
		return jar;
	}

	const token = (jar: CookieJar) => decode({ token: jar.cookies.get(NAME), secret: TEST_SECRET, salt: NAME });

	it('should update and measure the cookie when the kit is told its name', async () => {
		const jar = await signInTo(known.url);
		const res = await postUpdate(known.url, jar, JSON.stringify({ theme: 'dark' }));
		expect(res.status).toBe(200);
		expect(await token(jar)).toMatchObject({ theme: 'dark', syncVersion: 1 });
	});

	it('should refuse with a 500 and write nothing when the kit does not know the name', async () => {
		const jar = await signInTo(unknown.url);
		const before = await token(jar);
		const res = await postUpdate(unknown.url, jar, JSON.stringify({ theme: 'dark' }));
		expect(res.status).toBe(500);
		expect(res.json.error.code).toBe('server_error');
		expect(res.setCookies).toEqual([]);
		expect(await token(jar)).toStrictEqual(before);
		expect(unknown.output()).toContain('pass the same name as `cookieName`');
	});
});
