import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSessionSync } from '../../src/lib/client/index.js';
import type { SessionSyncStore } from '../../src/lib/types.js';
import { createFakeEndpoint, EXPIRES, flush, type TestSession } from './fake-endpoint.js';

const endpoints: Array<ReturnType<typeof createFakeEndpoint>> = [];
const stores: Array<SessionSyncStore<TestSession>> = [];
const channels: BroadcastChannel[] = [];

afterEach(async () => {
	for (const endpoint of endpoints.splice(0)) await endpoint.drain();
	stores.splice(0).forEach((store) => store.destroy());
	channels.splice(0).forEach((channel) => channel.close());
	delete (navigator as { locks?: unknown }).locks;
	vi.unstubAllGlobals();
});

function fakeEndpoint(user?: Parameters<typeof createFakeEndpoint>[0]) {
	const endpoint = createFakeEndpoint(user);
	endpoints.push(endpoint);
	return endpoint;
}

/** Two "tabs" of one browser: two stores sharing a cookie (the fake endpoint) and a channel name. */
function setupTabs(user: Parameters<typeof createFakeEndpoint>[0] = { name: 'Ada' }) {
	const endpoint = fakeEndpoint(user);
	const broadcast = `test-${crypto.randomUUID()}`;
	const tab = () => {
		const invalidate = vi.fn();
		const store = createSessionSync<TestSession>(endpoint.options({ broadcast, invalidate }));
		stores.push(store);
		return { store, invalidate };
	};
	return { endpoint, broadcast, a: tab(), b: tab() };
}

/** A minimal Web Locks `LockManager.request`: exclusive, FIFO per name, released when the callback settles. */
function installFakeLocks() {
	const tails = new Map<string, Promise<unknown>>();
	const request = vi.fn((name: string, callback: () => Promise<unknown>) => {
		const previous = tails.get(name) ?? Promise.resolve();
		const run = previous.then(() => callback());
		tails.set(
			name,
			run.catch(() => undefined)
		);
		return run;
	});
	Object.defineProperty(navigator, 'locks', { value: { request }, configurable: true });
	return request;
}

describe('cross-tab: BroadcastChannel', () => {
	it('should show a confirmed update in the other tab without reloading', async () => {
		const { endpoint, a, b } = setupTabs();
		void a.store.update({ bio: 'from A' });
		expect(b.store.current?.user.bio).toBeUndefined();
		await flush();
		await endpoint.requests[0].succeed();
		await vi.waitFor(() => expect(b.store.current?.user.bio).toBe('from A'));
		expect(b.store.current?.sync).toEqual({ id: 'sid-1', version: 1 });
		expect(b.invalidate).toHaveBeenCalled();
	});

	it('should not show another tab its optimistic values, or failed ones', async () => {
		const { endpoint, a, b } = setupTabs();
		void a.store.update({ bio: 'draft' });
		await flush();
		await endpoint.requests[0].fail(422, { code: 'invalid_patch', message: 'no' });
		await flush();
		expect(b.store.current?.user.bio).toBeUndefined();
	});

	it('should propagate a sign-out to the other tab', async () => {
		const { a, b } = setupTabs();
		a.store.adopt(null);
		await vi.waitFor(() => expect(b.store.current).toBeNull());
		expect(b.invalidate).toHaveBeenCalled();
	});

	it('should sign the other tabs out when a page loads signed out (after a sign-out redirect)', async () => {
		const { broadcast, b } = setupTabs();
		expect(b.store.current).not.toBeNull();
		const fresh = createSessionSync<TestSession>({ session: null, broadcast, invalidate: vi.fn() });
		stores.push(fresh);
		await vi.waitFor(() => expect(b.store.current).toBeNull());
	});

	it('should keep the other tab’s pending patches on top of what it receives', async () => {
		const { endpoint, a, b } = setupTabs();
		void b.store.update({ theme: 'dark' });
		void a.store.update({ bio: 'from A' });
		await flush();
		// One of the two holds the request slot; answer whichever comes first, then the other.
		await endpoint.open[0].succeed();
		await vi.waitFor(() => expect(endpoint.open).toHaveLength(1));
		await endpoint.open[0].succeed();
		await vi.waitFor(() => {
			expect(a.store.current?.user).toMatchObject({ bio: 'from A', theme: 'dark' });
			expect(b.store.current?.user).toMatchObject({ bio: 'from A', theme: 'dark' });
		});
		expect(endpoint.maxInFlight).toBe(1);
	});

	it('should ignore messages older than what the tab confirmed, and malformed ones', async () => {
		const { endpoint, broadcast, a } = setupTabs({ name: 'Ada', fav_num: '1' });
		const stale = endpoint.session();
		void a.store.update({ fav_num: '7' });
		await flush();
		await endpoint.requests[0].succeed();
		const sender = new BroadcastChannel(broadcast);
		channels.push(sender);
		sender.postMessage({ type: 'session', session: stale });
		sender.postMessage({ type: 'session', session: { user: 'nope' } });
		sender.postMessage({ type: 'other', session: null });
		sender.postMessage('hello');
		await flush();
		await flush();
		expect(a.store.current?.user.fav_num).toBe('7');
		// A stale message is not evidence about the cookie: no repair request.
		expect(endpoint.requests).toHaveLength(1);
	});

	it('should stop listening after destroy()', async () => {
		const { broadcast, a } = setupTabs();
		a.store.destroy();
		const sender = new BroadcastChannel(broadcast);
		channels.push(sender);
		sender.postMessage({ type: 'session', session: null });
		await flush();
		await flush();
		expect(a.store.current?.user.name).toBe('Ada');
	});

	it('should work where BroadcastChannel is missing', async () => {
		vi.stubGlobal('BroadcastChannel', undefined);
		const endpoint = fakeEndpoint();
		endpoint.autoRespond();
		const store = createSessionSync<TestSession>(endpoint.options({ broadcast: 'x' }));
		stores.push(store);
		expect((await store.update({ bio: 'x' })).ok).toBe(true);
		store.adopt(null);
		expect(store.current).toBeNull();
	});

	it('should open no channel with broadcast: false', () => {
		const spy = vi.fn();
		vi.stubGlobal('BroadcastChannel', spy);
		const store = createSessionSync<TestSession>(fakeEndpoint().options({ broadcast: false }));
		stores.push(store);
		expect(spy).not.toHaveBeenCalled();
	});
});

describe('one request in flight per browser', () => {
	it('should serialise tabs through navigator.locks and coalesce while waiting for the lock', async () => {
		const request = installFakeLocks();
		const { endpoint, a, b } = setupTabs();
		const fromA = Array.from({ length: 10 }, (_, i) => a.store.update({ [`a${i}`]: i }));
		const fromB = Array.from({ length: 5 }, (_, i) => b.store.update({ [`b${i}`]: i }));
		await flush();
		expect(request).toHaveBeenCalledWith('sveltekit-session-sync:update', expect.any(Function));
		expect(endpoint.requests).toHaveLength(1);
		// B is still waiting for the lock: what it does now joins its request.
		const late = b.store.update({ b9: 9 });
		await endpoint.requests[0].succeed();
		expect(endpoint.requests).toHaveLength(2);
		expect(Object.keys(endpoint.requests[1].body).sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b9']);
		await endpoint.requests[1].succeed();
		const results = await Promise.all([...fromA, ...fromB, late]);
		expect(results.every((result) => result.ok)).toBe(true);
		expect(endpoint.maxInFlight).toBe(1);
		expect(endpoint.cookie.user).toMatchObject({ a0: 0, a9: 9, b0: 0, b9: 9 });
	});

	it('should serialise stores of one tab without navigator.locks', async () => {
		expect((navigator as { locks?: unknown }).locks).toBeUndefined();
		const endpoint = fakeEndpoint();
		const stores2 = [0, 1, 2].map(() => {
			const store = createSessionSync<TestSession>(endpoint.options());
			stores.push(store);
			return store;
		});
		const results = stores2.map((store, i) => store.update({ [`s${i}`]: i }));
		await flush();
		expect(endpoint.open).toHaveLength(1);
		while (endpoint.open.length > 0) await endpoint.open[0].succeed();
		expect((await Promise.all(results)).every((result) => result.ok)).toBe(true);
		expect(endpoint.maxInFlight).toBe(1);
		expect(endpoint.requests).toHaveLength(3);
	});

	it('should fall back to the in-tab queue when the lock manager refuses', async () => {
		Object.defineProperty(navigator, 'locks', {
			value: { request: () => Promise.reject(new DOMException('denied', 'SecurityError')) },
			configurable: true
		});
		const endpoint = fakeEndpoint();
		endpoint.autoRespond();
		const store = createSessionSync<TestSession>(endpoint.options());
		stores.push(store);
		expect(await store.update({ bio: 'x' })).toMatchObject({ ok: true, session: { user: { bio: 'x' } } });
	});
});

describe('server-side rendering', () => {
	it('should resolve an ssr error without fetching when there is no window', async () => {
		const endpoint = fakeEndpoint();
		const channel = vi.fn();
		vi.stubGlobal('window', undefined);
		vi.stubGlobal('BroadcastChannel', channel);
		const store = createSessionSync<TestSession>(endpoint.options({ broadcast: 'ssr-test' }));
		stores.push(store);
		const result = await store.update({ bio: 'x' });
		expect(result).toEqual({
			ok: false,
			error: { status: 0, code: 'ssr', message: 'sessionSync.update() cannot run during server-side rendering' }
		});
		expect(store.current?.user.bio).toBeUndefined();
		expect(endpoint.fetchMock).not.toHaveBeenCalled();
		// No channel on the server: it would carry one request's session into another's.
		expect(channel).not.toHaveBeenCalled();
	});

	it('should give each store its own state (no module-level session)', () => {
		const one = createSessionSync<TestSession>({
			session: { user: { name: 'Ada' }, expires: EXPIRES },
			broadcast: false
		});
		const two = createSessionSync<TestSession>({
			session: { user: { name: 'Grace' }, expires: EXPIRES },
			broadcast: false
		});
		expect(one.current?.user.name).toBe('Ada');
		expect(two.current?.user.name).toBe('Grace');
	});
});
