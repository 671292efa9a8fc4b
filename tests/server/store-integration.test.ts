// @vitest-environment jsdom
/**
 * The real store against the real endpoint of the built demo: real cookies, real Auth.js encryption.
 * jsdom stands in for the page; `fetch` carries a cookie jar the way a browser would.
 */
import { describe, expect, inject, it, vi } from 'vitest';
import { createSessionSync } from '../../src/lib/client/index.js';
import type { SyncSession } from '../../src/lib/types.js';
import { CookieJar, decodeSession, signIn } from '../helpers/session.js';

const base = inject('baseURL');

type User = { name?: string; email?: string; fav_num?: string; bio?: string; theme?: string };
type Session = SyncSession<User>;

/** A browser-like fetch bound to one cookie jar: relative URLs, Origin header, cookies in and out. */
function browserFetch(jar: CookieJar) {
	let requests = 0;
	let inFlight = 0;
	let maxInFlight = 0;
	const fetcher: typeof fetch = async (input, init) => {
		requests += 1;
		inFlight += 1;
		maxInFlight = Math.max(maxInFlight, inFlight);
		try {
			const headers = new Headers(init?.headers);
			headers.set('cookie', jar.header());
			headers.set('origin', base);
			const response = await globalThis.fetch(new URL(String(input), base), { ...init, headers });
			jar.take(response);
			return response;
		} finally {
			inFlight -= 1;
		}
	};
	return { fetcher, stats: () => ({ requests, maxInFlight }) };
}

/** Sign in and load the session the way the root layout does (`__data.json` of `/`). */
async function setup() {
	const jar = await signIn(base);
	const response = await fetch(`${base}/api/update-user-data?query=update-user-data`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: jar.header(), origin: base },
		body: '{}'
	});
	const body = await response.json();
	const session: Session = { user: body.data, sync: body.sync, expires: body.expires };
	const { fetcher, stats } = browserFetch(jar);
	const store = createSessionSync<Session>({ session, fetch: fetcher, broadcast: false, invalidate: () => {} });
	return { jar, store, stats };
}

describe('store + real endpoint', () => {
	it('should save a burst of updates in one request and keep every field in the cookie', async () => {
		const { jar, store, stats } = await setup();
		const results = [
			store.update({ fav_num: '1' }),
			store.update({ bio: 'Analyst' }),
			store.update({ theme: 'dark' }),
			store.update((user) => ({ fav_num: `${user.fav_num}0` }))
		];
		expect(store.current?.user).toMatchObject({ fav_num: '10', bio: 'Analyst', theme: 'dark' });
		const settled = await Promise.all(results);
		expect(settled.every((r) => r.ok)).toBe(true);
		expect(stats()).toEqual({ requests: 1, maxInFlight: 1 });
		expect(await decodeSession(jar)).toMatchObject({ fav_num: '10', bio: 'Analyst', theme: 'dark', syncVersion: 1 });
		expect(store.current?.sync?.version).toBe(1);
	});

	it('should roll back a refused field and keep the cookie unchanged', async () => {
		const { jar, store } = await setup();
		await store.update({ bio: 'kept' });
		const before = await decodeSession(jar);
		const result = await store.update({ bio: 'x'.repeat(281) });
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.error).toMatchObject({ status: 422, code: 'invalid_patch' });
			expect(result.error.issues?.[0].path).toEqual(['bio']);
		}
		expect(store.current?.user.bio).toBe('kept');
		expect(await decodeSession(jar)).toStrictEqual(before);
	});

	it('should refuse stale page data and repair a cookie that went back in time', async () => {
		const { jar, store } = await setup();
		const stale = jar.clone();
		const staleSession = store.current!;
		await store.update({ fav_num: '42' });
		// A slow parallel request put the old cookie back, and its page data arrives late.
		jar.cookies.clear();
		for (const [name, value] of stale.cookies) jar.cookies.set(name, value);
		expect((await decodeSession(jar))!.fav_num).toBeUndefined();
		store.adopt(staleSession);
		expect(store.current?.user.fav_num).toBe('42');
		await vi.waitFor(async () => expect((await decodeSession(jar))!.fav_num).toBe('42'), { timeout: 5000 });
	});
});
