import { afterEach, describe, expect, it } from 'vitest';
import { createSessionSync } from '../../src/lib/client/index.js';
import type { SessionSyncStore } from '../../src/lib/types.js';
import { createFakeEndpoint, EXPIRES, flush, type TestSession } from './fake-endpoint.js';

const endpoints: Array<ReturnType<typeof createFakeEndpoint>> = [];
const stores: Array<SessionSyncStore<TestSession>> = [];

afterEach(async () => {
	for (const endpoint of endpoints.splice(0)) await endpoint.drain();
	stores.splice(0).forEach((store) => store.destroy());
});

function setup(user: Parameters<typeof createFakeEndpoint>[0] = { name: 'Ada' }) {
	const endpoint = createFakeEndpoint(user);
	endpoints.push(endpoint);
	const store = createSessionSync<TestSession>(endpoint.options());
	stores.push(store);
	return { endpoint, store };
}

/** Confirm `patch` through the store, and return the page data as it was before. */
async function confirmUpdate(
	endpoint: ReturnType<typeof createFakeEndpoint>,
	store: SessionSyncStore<TestSession>,
	patch: Record<string, unknown>
) {
	const before = endpoint.session();
	const result = store.update(patch);
	await flush();
	await endpoint.open[0].succeed();
	expect((await result).ok).toBe(true);
	return before;
}

describe('adopt: page data', () => {
	it('should refuse page data older than the last confirmed update and repair the cookie', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		const stale = await confirmUpdate(endpoint, store, { fav_num: '7' });
		expect(store.current?.sync).toEqual({ id: 'sid-1', version: 1 });
		// A slow parallel load answers with the old session and puts the old cookie back.
		endpoint.cookie.user = structuredClone(stale.user);
		endpoint.cookie.sync = { ...stale.sync! };
		store.adopt(stale);
		expect(store.current?.user.fav_num).toBe('7');
		await flush();
		expect(endpoint.requests).toHaveLength(2);
		expect(endpoint.requests[1].body).toEqual({ fav_num: '7' });
		await endpoint.requests[1].succeed();
		expect(endpoint.cookie.user.fav_num).toBe('7');
		expect(store.current?.user.fav_num).toBe('7');
	});

	it('should not repair when stale page data still holds every confirmed value', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		await confirmUpdate(endpoint, store, { fav_num: '7' });
		store.adopt({ user: { name: 'Ada', fav_num: '7' }, expires: EXPIRES, sync: { id: 'sid-1', version: 0 } });
		await flush();
		expect(endpoint.requests).toHaveLength(1);
	});

	it('should send the repair together with unsent patches, repair first', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		const stale = await confirmUpdate(endpoint, store, { fav_num: '7' });
		void store.update({ theme: 'dark', fav_num: '8' });
		store.adopt(stale);
		await flush();
		expect(endpoint.requests).toHaveLength(2);
		expect(endpoint.requests[1].body).toEqual({ fav_num: '8', theme: 'dark' });
		expect(Object.keys(endpoint.requests[1].body)).toEqual(['fav_num', 'theme']);
	});

	it('should queue at most one unsent repair at a time', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		const stale = await confirmUpdate(endpoint, store, { fav_num: '7' });
		store.adopt(stale);
		store.adopt(stale);
		await flush();
		store.adopt(stale);
		await endpoint.open[0].succeed();
		await endpoint.open[0].succeed();
		expect(endpoint.open).toHaveLength(0);
		expect(endpoint.requests).toHaveLength(3);
	});

	it('should adopt page data at the same or a newer version', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		await confirmUpdate(endpoint, store, { fav_num: '7' });
		store.adopt({ user: { name: 'Ada', fav_num: '7', bio: 'same' }, expires: EXPIRES, sync: { id: 'sid-1', version: 1 } });
		expect(store.current?.user.bio).toBe('same');
		store.adopt({ user: { name: 'Ada', fav_num: '9' }, expires: EXPIRES, sync: { id: 'sid-1', version: 5 } });
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '9' });
		expect(store.current?.sync).toEqual({ id: 'sid-1', version: 5 });
	});

	it('should adopt a session with another id, even at a lower version', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		await confirmUpdate(endpoint, store, { fav_num: '7' });
		await confirmUpdate(endpoint, store, { fav_num: '8' });
		store.adopt({ user: { name: 'Grace' }, expires: EXPIRES, sync: { id: 'sid-2', version: 0 } });
		expect(store.current?.user).toEqual({ name: 'Grace' });
		// The new session starts its own history: older page data of it is refused again later.
		store.adopt({ user: { name: 'Grace', bio: 'b' }, expires: EXPIRES, sync: { id: 'sid-2', version: 1 } });
		expect(store.current?.user.bio).toBe('b');
	});

	it('should adopt sessions without sync info as they are', () => {
		const { store } = setup();
		store.adopt({ user: { name: 'Old' }, expires: EXPIRES });
		expect(store.current?.user).toEqual({ name: 'Old' });
		store.adopt({ user: { name: 'Older' }, expires: EXPIRES });
		expect(store.current?.user).toEqual({ name: 'Older' });
	});

	it('should keep in-flight and unsent patches on top of adopted page data', async () => {
		const { endpoint, store } = setup({ name: 'Ada' });
		void store.update({ fav_num: '1' });
		await flush();
		void store.update({ theme: 'dark' });
		// Another tab changed `bio`; this tab's navigation brings it.
		store.adopt({ user: { name: 'Ada', bio: 'other tab' }, expires: EXPIRES, sync: { id: 'sid-1', version: 3 } });
		expect(store.current?.user).toEqual({ name: 'Ada', bio: 'other tab', fav_num: '1', theme: 'dark' });
		await endpoint.requests[0].fail(500, 'down');
		expect(store.current?.user).toEqual({ name: 'Ada', bio: 'other tab', theme: 'dark' });
	});

	it('should sign out on adopt(null) and accept a new session afterwards', async () => {
		const { store } = setup({ name: 'Ada' });
		store.adopt(null);
		expect(store.current).toBeNull();
		expect(await store.update({ bio: 'x' })).toMatchObject({ ok: false, error: { code: 'signed_out' } });
		store.adopt({ user: { name: 'Grace' }, expires: EXPIRES, sync: { id: 'sid-9', version: 0 } });
		expect(store.current?.user.name).toBe('Grace');
		// `undefined` is a load that returned no session field: no news, never a sign-out.
		store.adopt(undefined);
		expect(store.current?.user.name).toBe('Grace');
	});
});

describe('reconcile: a response merged into a stale cookie', () => {
	it('should keep confirmed values the response lost and send them again', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		const stale = await confirmUpdate(endpoint, store, { fav_num: '7' });
		// The cookie went back in time before the next request reached the server.
		endpoint.cookie.user = structuredClone(stale.user);
		endpoint.cookie.sync = { ...stale.sync! };
		const result = store.update({ theme: 'dark' });
		await flush();
		await endpoint.requests[1].succeed();
		const outcome = await result;
		expect(outcome).toMatchObject({ ok: true, session: { user: { fav_num: '7', theme: 'dark' } } });
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '7', theme: 'dark' });
		expect(endpoint.requests[2].body).toEqual({ fav_num: '7', theme: 'dark' });
		await endpoint.requests[2].succeed();
		await flush();
		expect(endpoint.requests).toHaveLength(3);
		expect(endpoint.cookie.user).toEqual({ name: 'Ada', fav_num: '7', theme: 'dark' });
	});
});
