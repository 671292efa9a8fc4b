/**
 * Server-only data never leaves the server: the `access_token` (its value and its name), the `role`
 * value and AUTH_SECRET appear in no response body, header, page, `__data.json` or script the page
 * loads — on every route of the demo, signed in as either user or signed out, on success and on
 * every kind of error.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_SECRET } from '../helpers/server.js';
import { CookieJar, FLAG, SESSION_COOKIE, decodeSession, postUpdate, signIn } from '../helpers/session.js';
import { signedIn, type Token } from './support.js';

const base = inject('baseURL');
const strict = inject('strictURL');

interface Probe {
	label: string;
	status: number;
	body: string;
	headers: string;
}

/** Every response header but the session cookie's encrypted value, as text. */
function headerText(response: Response): string {
	return [...response.headers]
		.map(([name, value]) => `${name}: ${value}`)
		.join('\n')
		.replace(new RegExp(`${SESSION_COOKIE}(\\.\\d+)?=[^;]*`, 'g'), `${SESSION_COOKIE}=<encrypted>`);
}

async function probe(label: string, url: string, init: RequestInit = {}): Promise<Probe> {
	const response = await fetch(url, { redirect: 'manual', ...init });
	return { label, status: response.status, body: await response.text(), headers: headerText(response) };
}

/** What must never be seen: each user's token value, the role value as a word, the key name, the secret. */
function forbidden(tokens: Token[]): Array<string | RegExp> {
	return [
		...tokens.map((token) => String(token.access_token)),
		/\bmember\b/,
		'access_token',
		TEST_SECRET,
		TEST_SECRET.slice(0, 16),
		Buffer.from(TEST_SECRET).toString('base64'),
		Buffer.from(TEST_SECRET).toString('hex')
	];
}

function expectClean(probes: Probe[], tokens: Token[]) {
	expect(probes.length).toBeGreaterThan(0);
	for (const p of probes) {
		if (!AUTHJS_500.some((path) => p.label.includes(path))) {
			expect(p.status, `${p.label} must not be a server error`).toBeLessThan(500);
		}
		for (const secret of forbidden(tokens)) {
			if (typeof secret === 'string') {
				expect(p.body, `${p.label} body`).not.toContain(secret);
				expect(p.headers, `${p.label} headers`).not.toContain(secret);
			} else {
				expect(p.body, `${p.label} body`).not.toMatch(secret);
				expect(p.headers, `${p.label} headers`).not.toMatch(secret);
			}
		}
	}
}

/** Auth.js's own error page answers 500 for a configuration error by design; still no secret in it. */
const AUTHJS_500 = ['/auth/error?error=Configuration'];

const PAGES = [
	'/',
	'/profile',
	'/__data.json',
	'/profile/__data.json',
	'/__data.json?x-sveltekit-invalidated=01',
	'/profile/__data.json?x-sveltekit-invalidated=01',
	'/auth/session',
	'/auth/providers',
	'/auth/signin',
	'/auth/signin/credentials',
	'/auth/csrf',
	'/auth/signout',
	'/auth/error',
	'/auth/error?error=Configuration',
	'/auth/error?error=AccessDenied',
	'/auth/verify-request',
	'/no-such-page',
	'/no-such-page/__data.json',
	'/bench/bare',
	'/bench/bare/__data.json',
	`/api/update-user-data?${FLAG}`
];

describe('secrets never leave the server', () => {
	let ada: { jar: CookieJar; before: Token };
	let grace: { jar: CookieJar; before: Token };

	beforeAll(async () => {
		ada = await signedIn(base, 'ada');
		grace = await signedIn(base, 'grace');
	});

	it('should have secrets in the cookie to hide in the first place', () => {
		for (const { before } of [ada, grace]) {
			expect(before.role).toBe('member');
			expect(typeof before.access_token).toBe('string');
			expect(String(before.access_token).length).toBeGreaterThan(20);
		}
	});

	for (const who of ['ada', 'grace', 'nobody'] as const) {
		it(`should keep them out of every page, data and Auth.js route for ${who === 'nobody' ? 'a signed-out visitor' : who}`, async () => {
			const cookie = who === 'ada' ? ada.jar.header() : who === 'grace' ? grace.jar.header() : '';
			const probes: Probe[] = [];
			for (const path of PAGES) {
				for (const accept of ['text/html', 'application/json', '*/*']) {
					probes.push(await probe(`GET ${path} (${accept})`, `${base}${path}`, { headers: { cookie, accept } }));
				}
			}
			probes.push(await probe('HEAD /', `${base}/`, { method: 'HEAD', headers: { cookie } }));
			expectClean(probes, [ada.before, grace.before]);
			if (who !== 'nobody') {
				// The page really is signed in, so the check above covered a page that had the session.
				const page = probes.find((p) => p.label === 'GET /profile (text/html)')!;
				expect(page.body).toContain(who === 'ada' ? 'Ada Lovelace' : 'Grace Hopper');
			}
		});
	}

	it('should keep them out of every script and stylesheet the pages load', async () => {
		const probes: Probe[] = [];
		const assets = new Set<string>();
		for (const path of ['/', '/profile']) {
			const html = await (await fetch(`${base}${path}`, { headers: { cookie: ada.jar.header() } })).text();
			for (const match of html.matchAll(/(?:href|src|import\()\s*=?\s*["']([^"']+\.(?:js|css))["']/g)) {
				assets.add(new URL(match[1], `${base}${path}`).pathname);
			}
		}
		expect(assets.size).toBeGreaterThan(0);
		for (const asset of assets) probes.push(await probe(`GET ${asset}`, `${base}${asset}`));
		expectClean(probes, [ada.before, grace.before]);
	});

	it('should keep them out of the update endpoint on success and on every kind of error', async () => {
		const jar = ada.jar;
		const probes: Probe[] = [];
		const post = async (label: string, body: string, headers: Record<string, string> = {}, url = base, cookieJar: CookieJar | null = jar) => {
			const answer = await postUpdate(url, cookieJar, body, { headers, readOnly: true });
			probes.push({ label, status: answer.status, body: answer.text, headers: answer.setCookies.map(() => '').join('') });
			return answer;
		};
		expect((await post('200', '{"fav_num":"3"}')).status).toBe(200);
		expect((await post('200 {}', '{}')).status).toBe(200);
		expect((await post('400 invalid_json', '{')).status).toBe(400);
		expect((await post('400 invalid_body', '[]')).status).toBe(400);
		expect((await post('422 role', '{"role":"x","sub":"y"}')).status).toBe(422);
		expect((await post('401', '{"fav_num":"3"}', {}, base, null)).status).toBe(401);
		expect((await post('403', '{"fav_num":"3"}', { origin: 'https://evil.example' })).status).toBe(403);
		expect((await post('413 body', JSON.stringify({ bio: 'x'.repeat(9000) }))).status).toBe(413);
		expect((await post('415', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
		const strictJar = await signIn(strict);
		expect((await post('413 cookie', JSON.stringify({ bio: 'é'.repeat(280) }), {}, strict, strictJar)).status).toBe(413);
		expectClean(probes, [ada.before, grace.before, (await decodeSession(strictJar)) as Token]);
	});

	it("should keep them out of Auth.js's native update path, the form action and the bench-only routes", async () => {
		const cookie = ada.jar.header();
		const json = { 'content-type': 'application/json', origin: base, cookie };
		const form = { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie };
		const probes = [
			await probe('POST /auth/session valid', `${base}/auth/session`, { method: 'POST', headers: json, body: '{"data":{"theme":"light"}}' }),
			await probe('POST /auth/session hostile', `${base}/auth/session`, { method: 'POST', headers: json, body: '{"data":{"role":"x"}}' }),
			await probe('POST /auth/session not JSON', `${base}/auth/session`, { method: 'POST', headers: json, body: '{' }),
			await probe('form action 303', `${base}/?/updateUserData`, { method: 'POST', headers: form, body: 'fav_num=4' }),
			await probe('form action 422 (JSON)', `${base}/?/updateUserData`, {
				method: 'POST',
				headers: { ...form, accept: 'application/json' },
				body: new URLSearchParams({ __session_sync_fields: '{"role":"text"}', role: 'x' }).toString()
			}),
			await probe('form action 422 (HTML)', `${base}/?/updateUserData`, {
				method: 'POST',
				headers: { ...form, accept: 'text/html' },
				body: new URLSearchParams({ __session_sync_fields: '{"bio":"textarea"}', bio: 'b'.repeat(300) }).toString()
			}),
			await probe('bench tutorial update', `${base}/bench/tutorial-update?${FLAG}`, { method: 'POST', headers: json, body: '{"role":"admin"}' })
		];
		// The bench-only routes are off unless SESSION_SYNC_BENCH=1: the raw-merging one must not exist here.
		expect(probes.at(-1)!.status).toBe(404);
		expectClean(probes, [ada.before, grace.before]);
	});
});
