import { describe, expect, inject, it } from 'vitest';
import { CookieJar, decodeSession, postUpdate, signIn, SESSION_COOKIE } from '../helpers/session.js';

const base = inject('baseURL');
const strict = inject('strictURL');

/** Sign in, and return the jar plus the exact token it decrypts to. */
async function setup(url = base, username = 'ada') {
	const jar = await signIn(url, username);
	const before = await decodeSession(jar);
	return { jar, before };
}

/** The response set no session cookie and the session still decrypts to exactly the same token. */
async function expectUnchanged(jar: CookieJar, before: unknown, response: { setCookies: string[] }) {
	expect(response.setCookies.filter((c) => c.startsWith(SESSION_COOKIE))).toEqual([]);
	jar.take(new Response(null, { headers: response.setCookies.map((c) => ['set-cookie', c] as [string, string]) }));
	expect(await decodeSession(jar)).toStrictEqual(before);
}

describe('update endpoint: success', () => {
	it('should merge a valid patch, answer 200 with session.user and set the new cookie', async () => {
		const { jar, before } = await setup();
		const res = await postUpdate(base, jar, JSON.stringify({ fav_num: '42', theme: 'dark' }));
		expect(res.status).toBe(200);
		expect(res.json.data).toStrictEqual({
			name: 'Ada Lovelace',
			email: 'ada@example.com',
			image: '/avatars/ada.svg',
			fav_num: '42',
			theme: 'dark'
		});
		expect(res.json.sync.version).toBe(1);
		const after = await decodeSession(jar);
		expect(after).toMatchObject({ fav_num: '42', theme: 'dark', syncVersion: 1, role: 'member', sub: before!.sub });
		expect(after!.access_token).toBe(before!.access_token);
	});

	it('should remove a field set to null and raise the version again', async () => {
		const { jar } = await setup();
		await postUpdate(base, jar, JSON.stringify({ bio: 'hello', theme: 'light' }));
		const res = await postUpdate(base, jar, JSON.stringify({ bio: null }));
		expect(res.status).toBe(200);
		expect(res.json.data).not.toHaveProperty('bio');
		expect(res.json.data.theme).toBe('light');
		const token = await decodeSession(jar);
		expect(token).not.toHaveProperty('bio');
		expect(token!.syncVersion).toBe(2);
	});

	it('should answer {} with 200 and leave the session exactly as it was', async () => {
		const { jar, before } = await setup();
		const res = await postUpdate(base, jar, '{}');
		expect(res.status).toBe(200);
		expect(res.json.data.name).toBe('Ada Lovelace');
		await expectUnchanged(jar, before, res);
	});

	it('should accept the flag as a header instead of a query parameter', async () => {
		const { jar } = await setup();
		const res = await postUpdate(base, jar, JSON.stringify({ fav_num: '7' }), {
			path: '/api/update-user-data',
			headers: { query: 'update-user-data' }
		});
		expect(res.status).toBe(200);
		expect((await decodeSession(jar))!.fav_num).toBe('7');
	});

	it('should serve a request without Origin (a non-browser client)', async () => {
		const { jar } = await setup();
		const response = await fetch(`${base}/api/update-user-data?query=update-user-data`, {
			method: 'POST',
			headers: { 'content-type': 'application/json; charset=utf-8', cookie: jar.header() },
			body: JSON.stringify({ theme: 'system' })
		});
		expect(response.status).toBe(200);
		expect((await response.json()).data.theme).toBe('system');
	});
});

describe('update endpoint: every failure leaves the session exactly as it was', () => {
	const cases: Array<{
		name: string;
		status: number;
		code: string;
		body: string;
		headers?: Record<string, string>;
		path?: string;
		url?: () => string;
	}> = [
		{ name: 'a body that is not JSON', status: 400, code: 'invalid_json', body: '{fav_num: 1' },
		{ name: 'a JSON array', status: 400, code: 'invalid_body', body: '[{"fav_num":"1"}]' },
		{ name: 'JSON null', status: 400, code: 'invalid_body', body: 'null' },
		{ name: 'a request without the flag', status: 400, code: 'flag_required', body: '{"fav_num":"1"}', path: '/api/update-user-data' },
		{ name: 'a foreign Origin', status: 403, code: 'forbidden_origin', body: '{"fav_num":"1"}', headers: { origin: 'https://evil.example' } },
		{ name: 'the null Origin', status: 403, code: 'forbidden_origin', body: '{"fav_num":"1"}', headers: { origin: 'null' } },
		{ name: 'a body over 8 KiB', status: 413, code: 'body_too_large', body: JSON.stringify({ bio: 'x'.repeat(9000) }) },
		{ name: 'text/plain', status: 415, code: 'unsupported_media_type', body: '{"fav_num":"1"}', headers: { 'content-type': 'text/plain' } },
		{ name: 'an unknown field', status: 422, code: 'invalid_patch', body: '{"nickname":"x"}' },
		{ name: 'a read-only field (name)', status: 422, code: 'invalid_patch', body: '{"name":"Mallory"}' },
		{ name: 'a reserved claim (sub)', status: 422, code: 'invalid_patch', body: '{"sub":"u-grace"}' },
		{ name: 'a server-only field (role)', status: 422, code: 'invalid_patch', body: '{"role":"admin"}' },
		{ name: 'a server-only field (access_token)', status: 422, code: 'invalid_patch', body: '{"access_token":"stolen"}' },
		{ name: 'the version claim', status: 422, code: 'invalid_patch', body: '{"syncVersion":99}' },
		{ name: 'a valid field beside a refused one', status: 422, code: 'invalid_patch', body: '{"fav_num":"1","role":"admin"}' },
		{ name: 'a bio of 281 characters', status: 422, code: 'invalid_patch', body: JSON.stringify({ bio: 'b'.repeat(281) }) },
		{ name: 'a theme outside the list', status: 422, code: 'invalid_patch', body: '{"theme":"neon"}' },
		{ name: 'a number where a string is expected', status: 422, code: 'invalid_patch', body: '{"fav_num":42}' },
		{ name: 'control characters in the bio (six bytes each in the cookie)', status: 422, code: 'invalid_patch', body: JSON.stringify({ bio: '\u0001'.repeat(10) }) },
		{ name: '__proto__ as raw JSON text', status: 422, code: 'invalid_patch', body: '{"__proto__":{"role":"admin"}}' },
		{ name: 'constructor.prototype', status: 422, code: 'invalid_patch', body: '{"constructor":{"prototype":{"role":"admin"}}}' }
	];

	for (const c of cases) {
		it(`should answer ${c.status} ${c.code} for ${c.name}`, async () => {
			const { jar, before } = await setup();
			const res = await postUpdate(base, jar, c.body, { headers: c.headers, path: c.path, readOnly: true });
			expect(res.status).toBe(c.status);
			expect(res.json.error.code).toBe(c.code);
			expect(typeof res.json.error.message).toBe('string');
			await expectUnchanged(jar, before, res);
		});
	}

	it('should list one issue per refused field with its path', async () => {
		const { jar } = await setup();
		const res = await postUpdate(base, jar, JSON.stringify({ bio: 'b'.repeat(281), theme: 'neon', role: 'x', fav_num: 'ok' }), { readOnly: true });
		expect(res.status).toBe(422);
		const paths = res.json.error.issues.map((i: { path: string[] }) => i.path[0]).sort();
		expect(paths).toEqual(['bio', 'role', 'theme']);
		expect(res.json.error.issues.find((i: { path: string[] }) => i.path[0] === 'bio').message).toBe('At most 280 characters');
	});

	it('should answer 401 without a session cookie', async () => {
		const res = await postUpdate(base, null, '{"fav_num":"1"}');
		expect(res.status).toBe(401);
		expect(res.json.error.code).toBe('unauthenticated');
		expect(res.setCookies.filter((c) => c.startsWith(SESSION_COOKIE))).toEqual([]);
	});

	it('should answer 401 for a tampered cookie and write no cookie', async () => {
		const { jar } = await setup();
		const value = jar.session()!;
		const tampered = jar.clone();
		tampered.cookies.set(SESSION_COOKIE, value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
		const res = await postUpdate(base, tampered, '{"fav_num":"1"}', { readOnly: true });
		expect(res.status).toBe(401);
		expect(res.setCookies.filter((c) => c.startsWith(SESSION_COOKIE))).toEqual([]);
	});

	it('should answer 413 when the new cookie would pass maxCookieBytes, and keep the session', async () => {
		const { jar, before } = await setup(strict);
		expect(jar.session()!.length).toBeLessThan(1000);
		const res = await postUpdate(strict, jar, JSON.stringify({ bio: 'é'.repeat(280) }), { readOnly: true });
		expect(res.status).toBe(413);
		expect(res.json.error.code).toBe('cookie_too_large');
		await expectUnchanged(jar, before, res);
		// A patch that fits still works on the same server.
		const ok = await postUpdate(strict, jar, JSON.stringify({ theme: 'dark' }));
		expect(ok.status).toBe(200);
	});

	it('should answer 405 for GET, PUT and DELETE with the flag', async () => {
		const { jar, before } = await setup();
		for (const method of ['GET', 'PUT', 'DELETE']) {
			const res = await postUpdate(base, jar, method === 'GET' ? null : '{"role":"admin"}', { method, readOnly: true });
			expect(res.status).toBe(405);
			await expectUnchanged(jar, before, res);
		}
	});
});

describe("Auth.js's own update path", () => {
	it('should ignore {"data": {"role": "admin"}} and keep every claim', async () => {
		const { jar, before } = await setup();
		const response = await fetch(`${base}/auth/session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', origin: base, cookie: jar.header() },
			body: JSON.stringify({ data: { role: 'admin', sub: 'u-grace', fav_num: '1' } })
		});
		expect(response.status).toBe(200);
		const body = await response.json();
		expect(JSON.stringify(body)).not.toContain('admin');
		jar.take(response);
		const after = await decodeSession(jar);
		const { iat, exp, jti, ...rest } = after!;
		const { iat: _i, exp: _e, jti: _j, ...restBefore } = before!;
		expect(rest).toStrictEqual(restBefore);
		expect([iat, exp, jti].every((v) => v !== undefined)).toBe(true);
	});

	it('should apply valid data through the same validation', async () => {
		const { jar } = await setup();
		const response = await fetch(`${base}/auth/session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', origin: base, cookie: jar.header() },
			body: JSON.stringify({ data: { theme: 'dark' } })
		});
		expect(response.status).toBe(200);
		expect((await response.json()).user.theme).toBe('dark');
		jar.take(response);
		expect(await decodeSession(jar)).toMatchObject({ theme: 'dark', role: 'member', syncVersion: 1 });
	});
});

describe('secrets and reads', () => {
	it('should never put access_token, role or the secret in a body, header or page', async () => {
		const { jar, before } = await setup();
		await postUpdate(base, jar, JSON.stringify({ fav_num: '3' }));
		const secrets = [String(before!.access_token), 'member', 'test-secret-for-sveltekit-session-sync'];
		const paths = ['/', '/profile', '/__data.json', '/profile/__data.json', '/auth/session', '/auth/providers'];
		for (const path of paths) {
			for (const cookie of [jar.header(), '']) {
				const response = await fetch(`${base}${path}`, { headers: { cookie } });
				const text = await response.text();
				const headers = [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n').replace(/authjs\.session-token[^;]*/g, '');
				for (const secret of secrets) {
					expect(text, `${path} body`).not.toContain(secret);
					expect(headers, `${path} headers`).not.toContain(secret);
				}
			}
		}
		const res = await postUpdate(base, jar, JSON.stringify({ theme: 'light' }));
		for (const secret of secrets) expect(res.text).not.toContain(secret);
	});

	it('should not re-set a fresh session cookie on a page read', async () => {
		const { jar } = await setup();
		for (const path of ['/', '/profile', '/__data.json']) {
			const response = await fetch(`${base}${path}`, { headers: { cookie: jar.header() } });
			await response.arrayBuffer();
			expect(response.headers.getSetCookie().filter((c) => c.startsWith(SESSION_COOKIE)), path).toEqual([]);
		}
	});

	it('should keep a confirmed update when an older cookie is read afterwards', async () => {
		const { jar } = await setup();
		const stale = jar.clone();
		await postUpdate(base, jar, JSON.stringify({ fav_num: '99' }));
		// A slow load that started before the update carries the old cookie: it must not write it back.
		const response = await fetch(`${base}/profile`, { headers: { cookie: stale.header() } });
		await response.arrayBuffer();
		jar.take(response);
		expect((await decodeSession(jar))!.fav_num).toBe('99');
	});
});

describe('form action (no JavaScript)', () => {
	function form(fields: Record<string, string>, initial: Record<string, unknown>) {
		return new URLSearchParams({
			__session_sync_fields: JSON.stringify({ fav_num: 'text', bio: 'textarea', theme: 'select' }),
			__session_sync_initial: JSON.stringify(initial),
			...fields
		});
	}

	it('should save only the changed fields and redirect back with 303', async () => {
		const { jar } = await setup();
		await postUpdate(base, jar, JSON.stringify({ bio: 'set in another tab' }));
		const response = await fetch(`${base}/?/updateUserData`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie: jar.header(), accept: 'text/html' },
			body: form({ fav_num: '12', bio: '', theme: '' }, { fav_num: null, bio: null, theme: null })
		});
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/');
		jar.take(response);
		const token = await decodeSession(jar);
		expect(token).toMatchObject({ fav_num: '12', bio: 'set in another tab' });
		const page = await (await fetch(`${base}/profile`, { headers: { cookie: jar.header() } })).text();
		expect(page).toContain('>12<');
	});

	it("should redirect back to the page's own query string, without the action name", async () => {
		const { jar } = await setup();
		const response = await fetch(`${base}/?tab=edit&/updateUserData`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie: jar.header(), accept: 'text/html' },
			body: form({ theme: 'dark' }, { theme: null })
		});
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/?tab=edit');
	});

	it('should answer 422 with the field issue and what was typed, saving nothing', async () => {
		const { jar, before } = await setup();
		const response = await fetch(`${base}/?/updateUserData`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie: jar.header(), accept: 'application/json' },
			body: form({ fav_num: '5', bio: 'x'.repeat(281), theme: '' }, { fav_num: null, bio: null, theme: null })
		});
		const body = await response.json();
		expect(body.type).toBe('failure');
		expect(body.status).toBe(422);
		expect(body.data).toContain('At most 280 characters');
		await expectUnchanged(jar, before, { setCookies: response.headers.getSetCookie() });
	});
});

describe('review regressions', () => {
	it('should not let __proto__, constructor or toString sign in, and keep sign-in working for everyone', async () => {
		for (const username of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
			const response = await fetch(`${base}/auth/callback/credentials`, {
				method: 'POST',
				redirect: 'manual',
				headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
				body: new URLSearchParams({ username, password: 'demo', callbackUrl: '/' })
			});
			await response.arrayBuffer();
			expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`) && !c.startsWith(`${SESSION_COOKIE}=;`)), username).toBe(false);
		}
		const jar = await signIn(base, 'grace');
		expect((await decodeSession(jar))!.name).toBe('Grace Hopper');
	});

	it('should not mark the session cookie Secure on plain http (browsers would drop the update)', async () => {
		const { jar } = await setup();
		const res = await postUpdate(base, jar, JSON.stringify({ theme: 'dark' }));
		const cookie = res.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
		expect(cookie).toBeDefined();
		expect(cookie).not.toMatch(/;\s*secure/i);
		expect(cookie).toMatch(/;\s*httponly/i);
	});

	it('should answer 415 to a form action posted as multipart, and save nothing', async () => {
		const { jar, before } = await setup();
		const body = new FormData();
		body.set('__session_sync_fields', JSON.stringify({ theme: 'select' }));
		body.set('theme', 'dark');
		const response = await fetch(`${base}/?/updateUserData`, {
			method: 'POST',
			headers: { origin: base, cookie: jar.header(), accept: 'application/json' },
			body
		});
		const result = await response.json();
		expect(result.status).toBe(415);
		await expectUnchanged(jar, before, { setCookies: response.headers.getSetCookie() });
	});
});
