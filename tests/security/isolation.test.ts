/**
 * Isolation and scale: concurrent users never see each other's session, several production servers
 * sharing one AUTH_SECRET agree, and a rotated secret keeps old sessions valid.
 */
import { decode } from '@auth/core/jwt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_SECRET, startServer, type RunningServer } from '../helpers/server.js';
import { CookieJar, FLAG, SESSION_COOKIE, decodeSession, postUpdate, signIn } from '../helpers/session.js';
import { expectProtocolError, sessionCookies, signedIn, type Token } from './support.js';

const base = inject('baseURL');
const NEW_SECRET = 'the-rotated-in-secret-for-session-sync-tests-9876543210';

const USERS = {
	ada: { name: 'Ada Lovelace', email: 'ada@example.com' },
	grace: { name: 'Grace Hopper', email: 'grace@example.com' }
} as const;
type User = keyof typeof USERS;

describe('two users, interleaved and concurrent', () => {
	it('should show every response only its own user, over 2 × 100 concurrent requests', async () => {
		const sessions = {
			ada: await signedIn(base, 'ada'),
			grace: await signedIn(base, 'grace')
		};
		const paths = ['/', '/profile', '/__data.json', '/profile/__data.json', `/api/update-user-data?${FLAG}`];
		const requests: Array<Promise<{ user: User; path: string; status: number; text: string; cookies: string[] }>> = [];
		for (let i = 0; i < 100; i++) {
			for (const user of ['ada', 'grace'] as const) {
				const path = paths[i % paths.length];
				const update = path.startsWith('/api/');
				requests.push(
					fetch(`${base}${path}`, {
						method: update ? 'POST' : 'GET',
						headers: {
							cookie: sessions[user].jar.header(),
							origin: base,
							...(update ? { 'content-type': 'application/json' } : {})
						},
						// Updates that change nothing keep the cookie the other requests carry valid and current.
						body: update ? '{}' : undefined
					}).then(async (response) => ({
						user,
						path,
						status: response.status,
						text: await response.text(),
						cookies: sessionCookies(response.headers.getSetCookie())
					}))
				);
			}
		}
		const results = await Promise.all(requests);
		expect(results).toHaveLength(200);
		for (const r of results) {
			const own = USERS[r.user];
			const other = USERS[r.user === 'ada' ? 'grace' : 'ada'];
			const label = `${r.user} ${r.path}`;
			expect(r.status, label).toBe(200);
			expect(r.text, label).toContain(own.email);
			expect(r.text, label).toContain(`${r.user} was here`);
			expect(r.text, label).not.toContain(other.email);
			expect(r.text, label).not.toContain(other.name);
			expect(r.text, label).not.toContain(`${r.user === 'ada' ? 'grace' : 'ada'} was here`);
			expect(r.cookies, label).toEqual([]);
		}
	});

	it('should keep concurrent updates of two users apart', async () => {
		const ada = await signIn(base, 'ada');
		const grace = await signIn(base, 'grace');
		const answers = await Promise.all(
			Array.from({ length: 40 }, (_, i) => {
				const user: User = i % 2 === 0 ? 'ada' : 'grace';
				return postUpdate(base, (user === 'ada' ? ada : grace).clone(), JSON.stringify({ fav_num: `${user}-${i}` })).then((a) => ({ user, i, a }));
			})
		);
		for (const { user, i, a } of answers) {
			expect(a.status).toBe(200);
			expect(a.json.data).toMatchObject({ email: USERS[user].email, fav_num: `${user}-${i}` });
			const jar = new CookieJar();
			jar.take(new Response(null, { headers: a.setCookies.map((c) => ['set-cookie', c] as [string, string]) }));
			expect(await decodeSession(jar)).toMatchObject({ email: USERS[user].email, fav_num: `${user}-${i}` });
		}
	});
});

describe('several servers and secrets', () => {
	let second: RunningServer;
	let rotated: RunningServer;
	let newOnly: RunningServer;

	beforeAll(async () => {
		[second, rotated, newOnly] = await Promise.all([
			// Same AUTH_SECRET as the shared test server: a second instance behind a load balancer.
			startServer(),
			// AUTH_SECRET_1 encrypts from now on, the old AUTH_SECRET still decrypts: [new, old].
			startServer({ AUTH_SECRET: TEST_SECRET, AUTH_SECRET_1: NEW_SECRET }),
			// After the rotation is complete.
			startServer({ AUTH_SECRET: NEW_SECRET })
		]);
	});

	afterAll(async () => {
		await Promise.all([second?.stop(), rotated?.stop(), newOnly?.stop()]);
	});

	it('should read through one server an update made through another with the same AUTH_SECRET', async () => {
		const jar = await signIn(base, 'ada');
		// Server A (the shared one) signs in and updates; server B reads the same cookie.
		expect((await postUpdate(base, jar, JSON.stringify({ bio: 'written on A' }))).status).toBe(200);
		// Server B's ORIGIN is its own URL: the request comes from a page it served.
		const viaB = await postUpdate(second.url, jar, JSON.stringify({ theme: 'light' }));
		expect(viaB.status).toBe(200);
		expect(viaB.json.data).toMatchObject({ bio: 'written on A', theme: 'light' });
		expect(viaB.json.sync.version).toBe(2);
		// And back on A, both updates are there.
		const page = await (await fetch(`${base}/profile`, { headers: { cookie: jar.header() } })).text();
		expect(page).toContain('written on A');
		expect(page).toMatch(/data-field="theme"[^>]*>light</);
		const data = await (await fetch(`${second.url}/auth/session`, { headers: { cookie: jar.header() } })).json();
		expect(data.user).toMatchObject({ bio: 'written on A', theme: 'light' });
	});

	it('should keep a session made with the old secret valid on a server started with [new, old], and update it', async () => {
		const { jar, before } = await signedIn(base, 'grace');
		const old = jar.session()!;
		// The old cookie reads fine on the rotated server, and is not re-set by a read.
		const read = await fetch(`${rotated.url}/profile`, { headers: { cookie: jar.header() } });
		const page = await read.text();
		expect(read.status).toBe(200);
		expect(page).toContain('Grace Hopper');
		expect(page).toContain('grace was here');
		expect(sessionCookies(read.headers.getSetCookie())).toEqual([]);

		const update = await postUpdate(rotated.url, jar, JSON.stringify({ fav_num: 'rotated' }));
		expect(update.status).toBe(200);
		expect(update.json.data).toMatchObject({ name: 'Grace Hopper', fav_num: 'rotated', bio: 'grace was here' });
		const fresh = jar.session()!;
		expect(fresh).not.toBe(old);
		// The new cookie is encrypted with the new secret only, and kept every server-only claim.
		const token = (await decode({ token: fresh, secret: NEW_SECRET, salt: SESSION_COOKIE })) as Token;
		const { iat: _a, exp: _b, jti: _c, ...claims } = token;
		const { iat: _d, exp: _e, jti: _f, ...claimsBefore } = before;
		expect(claims).toStrictEqual({ ...claimsBefore, fav_num: 'rotated', syncVersion: 2 });
		await expect(decode({ token: fresh, secret: TEST_SECRET, salt: SESSION_COOKIE })).rejects.toThrow();
	});

	it('should accept the re-encrypted cookie and refuse the old one once only the new secret is left', async () => {
		const jar = await signIn(base, 'ada');
		const stale = jar.clone();
		expect((await postUpdate(rotated.url, jar, JSON.stringify({ theme: 'system' }))).status).toBe(200);
		const ok = await postUpdate(newOnly.url, jar, JSON.stringify({ fav_num: '1' }));
		expect(ok.status).toBe(200);
		expect(ok.json.data).toMatchObject({ theme: 'system', fav_num: '1' });
		const refused = await postUpdate(newOnly.url, stale, JSON.stringify({ fav_num: '1' }), { readOnly: true });
		expectProtocolError(refused, 401, 'unauthenticated');
		expect(sessionCookies(refused.setCookies)).toEqual([]);
	});

	it('should sign in on the rotated server with the new secret', async () => {
		const jar = await signIn(rotated.url, 'ada');
		const token = await decode({ token: jar.session()!, secret: NEW_SECRET, salt: SESSION_COOKIE });
		expect(token).toMatchObject({ email: 'ada@example.com', role: 'member' });
		await expect(decodeSession(jar)).rejects.toThrow();
	});
});
