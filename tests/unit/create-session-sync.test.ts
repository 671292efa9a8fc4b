import { get } from 'svelte/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSessionSync } from '../../src/lib/client/index.js';
import type { SyncError, SyncStatus, UpdateResult } from '../../src/lib/types.js';
import { createFakeEndpoint, flush, type TestSession } from './fake-endpoint.js';

const endpoints: Array<ReturnType<typeof createFakeEndpoint>> = [];

function fakeEndpoint(user?: Parameters<typeof createFakeEndpoint>[0]) {
	const endpoint = createFakeEndpoint(user);
	endpoints.push(endpoint);
	return endpoint;
}

function setup(user?: Parameters<typeof createFakeEndpoint>[0]) {
	const endpoint = fakeEndpoint(user);
	const store = createSessionSync<TestSession>(endpoint.options());
	const statuses: SyncStatus[] = [];
	const errors: Array<SyncError | null> = [];
	const values: Array<TestSession | null> = [];
	const stops = [
		store.status.subscribe((status) => statuses.push(status)),
		store.error.subscribe((error) => errors.push(error)),
		store.subscribe((value) => values.push(value))
	];
	cleanups.push(() => {
		stops.forEach((stop) => stop());
		store.destroy();
	});
	return { endpoint, store, statuses, errors, values };
}

const cleanups: Array<() => void> = [];
afterEach(async () => {
	for (const endpoint of endpoints.splice(0)) await endpoint.drain();
	cleanups.splice(0).forEach((cleanup) => cleanup());
	vi.unstubAllGlobals();
});

describe('createSessionSync: optimistic updates', () => {
	it('should show the patch to subscribers synchronously, before any request', async () => {
		const { endpoint, store, values } = setup({ name: 'Ada', fav_num: '1', bio: 'hi' });
		const result = store.update({ fav_num: '42' });
		expect(values.at(-1)?.user).toEqual({ name: 'Ada', fav_num: '42', bio: 'hi' });
		expect(store.current?.user.fav_num).toBe('42');
		expect(endpoint.fetchMock).not.toHaveBeenCalled();
		await flush();
		expect(endpoint.requests).toHaveLength(1);
		// Still the optimistic value while saving; other fields keep their previous values.
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '42', bio: 'hi' });
		await endpoint.requests[0].succeed();
		await expect(result).resolves.toMatchObject({ ok: true });
	});

	it('should POST the patch as JSON to the flagged endpoint', async () => {
		const { endpoint, store } = setup();
		void store.update({ theme: 'dark', bio: null });
		await flush();
		const [request] = endpoint.requests;
		expect(request.url).toBe('/api/update-user-data?query=update-user-data');
		expect(request.init.method).toBe('POST');
		expect(new Headers(request.init.headers).get('content-type')).toBe('application/json');
		expect(request.body).toEqual({ theme: 'dark', bio: null });
	});

	it('should honour a custom endpoint and flag', async () => {
		const endpoint = fakeEndpoint();
		const store = createSessionSync<TestSession>(
			endpoint.options({ endpoint: '/custom?x=1', flag: { name: 'do', value: 'sync me' } })
		);
		void store.update({ theme: 'dark' });
		await flush();
		expect(endpoint.requests[0].url).toBe('/custom?x=1&do=sync%20me');
		store.destroy();
	});

	it('should remove a field set to null at once', () => {
		const { store } = setup({ name: 'Ada', bio: 'hi' });
		void store.update({ bio: null });
		expect(store.current?.user).toEqual({ name: 'Ada' });
	});

	it('should pass the current optimistic user to update(fn), as a copy', async () => {
		const { store } = setup({ name: 'Ada', fav_num: '1' });
		void store.update({ fav_num: '2' });
		const seen: unknown[] = [];
		void store.update((user) => {
			seen.push({ ...user });
			(user as Record<string, unknown>).name = 'mutated';
			return { fav_num: String(Number(user.fav_num) + 1) };
		});
		expect(seen).toEqual([{ name: 'Ada', fav_num: '2' }]);
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '3' });
	});

	it('should not let a caller mutate a patch after passing it', () => {
		const { store } = setup({ name: 'Ada' });
		const patch = { bio: 'one' };
		void store.update(patch);
		patch.bio = 'two';
		expect(store.current?.user.bio).toBe('one');
	});

	it('should work when its methods are destructured', async () => {
		const { endpoint, store } = setup({ name: 'Ada' });
		const { update, adopt, subscribe, destroy, status, error } = store;
		const seen: Array<TestSession | null> = [];
		const stop = subscribe((value) => seen.push(value));
		const result = update({ bio: 'x' });
		await flush();
		await endpoint.requests[0].succeed();
		expect((await result).ok).toBe(true);
		adopt(endpoint.session());
		expect(get(status)).toBe('idle');
		expect(get(error)).toBeNull();
		expect(seen.at(-1)?.user.bio).toBe('x');
		stop();
		destroy();
	});
});

describe('createSessionSync: reconciling', () => {
	it('should take the server data as the user on success (server wins)', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		const result = store.update({ fav_num: '  7 ' });
		await flush();
		await endpoint.requests[0].succeed({ data: { name: 'Ada', fav_num: '7' } });
		const outcome = await result;
		expect(outcome).toEqual({
			ok: true,
			session: expect.objectContaining({ user: { name: 'Ada', fav_num: '7' }, sync: { id: 'sid-1', version: 1 } })
		});
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '7' });
	});

	it('should keep later pending patches visible on top of the server data', async () => {
		const { endpoint, store } = setup({ name: 'Ada' });
		void store.update({ fav_num: '1' });
		await flush();
		void store.update({ theme: 'dark' });
		await endpoint.requests[0].succeed({ data: { name: 'Ada', fav_num: '1', bio: 'from server' } });
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '1', bio: 'from server', theme: 'dark' });
	});

	it('should call invalidate after each confirmed update, and not after a failure', async () => {
		const endpoint = fakeEndpoint();
		const invalidate = vi.fn();
		const store = createSessionSync<TestSession>(endpoint.options({ invalidate }));
		void store.update({ bio: 'a' });
		await flush();
		await endpoint.requests[0].fail(422, { code: 'invalid_patch', message: 'no' });
		expect(invalidate).not.toHaveBeenCalled();
		void store.update({ bio: 'b' });
		await flush();
		await endpoint.requests[1].succeed();
		expect(invalidate).toHaveBeenCalledTimes(1);
	});

	it('should survive an invalidate that throws or rejects', async () => {
		const endpoint = fakeEndpoint();
		endpoint.autoRespond();
		const throwing = createSessionSync<TestSession>(
			endpoint.options({ invalidate: () => { throw new Error('nope'); } })
		);
		const rejecting = createSessionSync<TestSession>(
			endpoint.options({ invalidate: () => Promise.reject(new Error('nope')) })
		);
		expect((await throwing.update({ bio: 'a' })).ok).toBe(true);
		expect((await rejecting.update({ bio: 'b' })).ok).toBe(true);
	});

	it('should use the default invalidate without breaking outside a SvelteKit app', async () => {
		const endpoint = fakeEndpoint();
		endpoint.autoRespond();
		const store = createSessionSync<TestSession>({ ...endpoint.options(), invalidate: undefined });
		expect((await store.update({ bio: 'a' })).ok).toBe(true);
		await flush();
	});
});

describe('createSessionSync: rollback', () => {
	async function failWith(answer: (request: ReturnType<typeof createFakeEndpoint>['requests'][number]) => Promise<void>) {
		const { endpoint, store, statuses } = setup({ name: 'Ada', fav_num: '1' });
		const result = store.update({ fav_num: '2' });
		expect(store.current?.user.fav_num).toBe('2');
		await flush();
		await answer(endpoint.requests[0]);
		const outcome = await result;
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '1' });
		expect(get(store.status)).toBe('error');
		expect(statuses).toEqual(['idle', 'saving', 'error']);
		expect(outcome.ok).toBe(false);
		const error = (outcome as Extract<UpdateResult<TestSession>, { ok: false }>).error;
		expect(get(store.error)).toEqual(error);
		return error;
	}

	it('should roll back and report a 500 with a body that is not JSON', async () => {
		const error = await failWith((request) => request.fail(500, '<h1>Internal Error</h1>'));
		expect(error).toMatchObject({ status: 500, code: 'server_error' });
		expect(error.message).toContain('500');
	});

	it('should roll back and report a network error with status 0', async () => {
		const error = await failWith((request) => request.networkError());
		expect(error).toMatchObject({ status: 0, code: 'network_error' });
	});

	it('should roll back and report an abort with status 0', async () => {
		const error = await failWith((request) => request.abort());
		expect(error).toEqual({ status: 0, code: 'aborted', message: expect.any(String) });
	});

	it('should roll back and report a 422 with its issues', async () => {
		const error = await failWith((request) =>
			request.fail(422, {
				code: 'invalid_patch',
				message: 'The patch is invalid',
				issues: [{ path: ['fav_num'], message: 'At most 100 characters' }]
			})
		);
		expect(error).toEqual({
			status: 422,
			code: 'invalid_patch',
			message: 'The patch is invalid',
			issues: [{ path: ['fav_num'], message: 'At most 100 characters' }]
		});
	});

	it('should roll back and report a 401 but keep the session', async () => {
		const error = await failWith((request) =>
			request.fail(401, { code: 'unauthenticated', message: 'Sign in first' })
		);
		expect(error).toEqual({ status: 401, code: 'unauthenticated', message: 'Sign in first' });
	});

	it('should report a 200 without data as a server error', async () => {
		const { endpoint, store } = setup({ name: 'Ada' });
		const result = store.update({ bio: 'x' });
		await flush();
		endpoint.fetchMock.mockClear();
		await endpoint.requests[0].fail(200, 'ok');
		expect(await result).toMatchObject({ ok: false, error: { status: 200, code: 'server_error' } });
		expect(store.current?.user).toEqual({ name: 'Ada' });
	});

	it('should roll back only the failed fields and keep a later pending patch', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1', theme: 'light', bio: 'old' });
		const first = store.update({ fav_num: '2', bio: 'new' });
		await flush();
		const second = store.update({ theme: 'dark' });
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '2', theme: 'dark', bio: 'new' });
		await endpoint.requests[0].fail(422, { code: 'invalid_patch', message: 'no' });
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '1', theme: 'dark', bio: 'old' });
		expect((await first).ok).toBe(false);
		expect(get(store.status)).toBe('saving');
		await flush();
		expect(endpoint.requests[1].body).toEqual({ theme: 'dark' });
		await endpoint.requests[1].succeed();
		expect((await second).ok).toBe(true);
		expect(store.current?.user).toEqual({ name: 'Ada', fav_num: '1', theme: 'dark', bio: 'old' });
		expect(get(store.error)).toBeNull();
		expect(get(store.status)).toBe('idle');
	});

	it('should keep a later pending value of the same field when an earlier one fails', async () => {
		const { endpoint, store } = setup({ name: 'Ada', fav_num: '1' });
		void store.update({ fav_num: '2' });
		await flush();
		void store.update({ fav_num: '3' });
		await endpoint.requests[0].networkError();
		expect(store.current?.user.fav_num).toBe('3');
	});
});

describe('createSessionSync: never rejects', () => {
	it('should resolve an error when fetch throws synchronously', async () => {
		const store = createSessionSync<TestSession>({
			...fakeEndpoint().options(),
			fetch: () => {
				throw new TypeError('bad fetch');
			}
		});
		await expect(store.update({ bio: 'x' })).resolves.toMatchObject({
			ok: false,
			error: { status: 0, code: 'network_error' }
		});
	});

	it('should resolve an error when the patch function throws', async () => {
		const { store, endpoint } = setup();
		const result = await store.update(() => {
			throw new Error('oops');
		});
		expect(result).toMatchObject({ ok: false, error: { status: 0, code: 'invalid_patch' } });
		await flush();
		expect(endpoint.fetchMock).not.toHaveBeenCalled();
	});

	it('should resolve an error for a patch that is not a JSON object', async () => {
		const { store } = setup();
		for (const patch of [null, [], 'x', 1, { big: 1n }]) {
			const result = await store.update(patch as never);
			expect(result).toMatchObject({ ok: false, error: { status: 0, code: 'invalid_patch' } });
		}
		expect(get(store.status)).toBe('idle');
	});

	it('should resolve a signed_out error when there is no session', async () => {
		const endpoint = fakeEndpoint();
		const store = createSessionSync<TestSession>(endpoint.options({ session: null }));
		expect(await store.update({ bio: 'x' })).toMatchObject({ ok: false, error: { code: 'signed_out' } });
		expect(store.current).toBeNull();
		await flush();
		expect(endpoint.fetchMock).not.toHaveBeenCalled();
	});

	it('should resolve a signed_out error for unsent patches when the session goes away', async () => {
		const { endpoint, store } = setup();
		const first = store.update({ bio: 'a' });
		await flush();
		const second = store.update({ bio: 'b' });
		store.adopt(null);
		expect(await second).toMatchObject({ ok: false, error: { code: 'signed_out' } });
		await endpoint.requests[0].fail(401, { code: 'unauthenticated', message: 'gone' });
		expect(await first).toMatchObject({ ok: false, error: { status: 401 } });
		expect(store.current).toBeNull();
		expect(endpoint.requests).toHaveLength(1);
	});
});

describe('createSessionSync: queueing and coalescing', () => {
	it.each([10, 100, 1000])('should send %i updates made in one tick as one request', async (count) => {
		const { endpoint, store } = setup({ name: 'Ada' });
		const results: Array<Promise<UpdateResult<TestSession>>> = [];
		for (let i = 0; i < count; i += 1) results.push(store.update({ [`f${i % 7}`]: i, fav_num: String(i) }));
		await flush();
		expect(endpoint.requests).toHaveLength(1);
		const expected: Record<string, unknown> = { fav_num: String(count - 1) };
		for (let i = Math.max(0, count - 7); i < count; i += 1) expected[`f${i % 7}`] = i;
		expect(endpoint.requests[0].body).toEqual(expected);
		await endpoint.requests[0].succeed();
		const outcomes = await Promise.all(results);
		expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
		expect(endpoint.cookie.user).toMatchObject(expected);
		expect(store.current?.user).toMatchObject(expected);
	});

	it('should never have two requests in flight, and coalesce what came meanwhile', async () => {
		const { endpoint, store } = setup({ name: 'Ada' });
		const first = Array.from({ length: 10 }, (_, i) => store.update({ [`a${i}`]: i }));
		await flush();
		const second = Array.from({ length: 10 }, (_, i) => store.update({ [`b${i}`]: i }));
		await flush();
		expect(endpoint.requests).toHaveLength(1);
		await endpoint.requests[0].fail(500, 'down');
		expect(endpoint.requests).toHaveLength(2);
		expect(Object.keys(endpoint.requests[1].body)).toHaveLength(10);
		const third = store.update({ c: 1 });
		await flush();
		expect(endpoint.requests).toHaveLength(2);
		await endpoint.requests[1].succeed();
		await endpoint.requests[2].succeed();
		expect(endpoint.maxInFlight).toBe(1);
		// Each promise resolves with the result of the request that carried its patch.
		expect((await Promise.all(first)).every((outcome) => !outcome.ok)).toBe(true);
		expect((await Promise.all(second)).every((outcome) => outcome.ok)).toBe(true);
		expect((await third).ok).toBe(true);
		expect(endpoint.cookie.user).toMatchObject({ b0: 0, b9: 9, c: 1 });
		expect(endpoint.cookie.user).not.toHaveProperty('a0');
	});

	it('should split a burst where one merge patch cannot express two in order', async () => {
		const { endpoint, store } = setup({ name: 'Ada', prefs: { a: 1, b: 2 } });
		void store.update({ prefs: null });
		void store.update({ prefs: { c: 3 } });
		expect(store.current?.user.prefs).toEqual({ c: 3 });
		await flush();
		expect(endpoint.requests.map((request) => request.body)).toEqual([{ prefs: null }]);
		await endpoint.requests[0].succeed();
		expect(endpoint.requests[1].body).toEqual({ prefs: { c: 3 } });
		await endpoint.requests[1].succeed();
		expect(endpoint.cookie.user.prefs).toEqual({ c: 3 });
	});
});

describe('createSessionSync: status and error', () => {
	it('should go idle → saving → error → saving → idle, clearing the error on success', async () => {
		const { endpoint, store, statuses, errors } = setup();
		void store.update({ bio: 'a' });
		expect(get(store.status)).toBe('saving');
		await flush();
		await endpoint.requests[0].fail(413, { code: 'cookie_too_large', message: 'Too big' });
		expect(get(store.status)).toBe('error');
		void store.update({ bio: 'b' });
		expect(get(store.status)).toBe('saving');
		// The last error stays visible until a success.
		expect(get(store.error)).toMatchObject({ status: 413, code: 'cookie_too_large' });
		await flush();
		await endpoint.requests[1].succeed();
		expect(statuses).toEqual(['idle', 'saving', 'error', 'saving', 'idle']);
		expect(errors).toEqual([null, { status: 413, code: 'cookie_too_large', message: 'Too big' }, null]);
	});
});

describe('createSessionSync: review regressions', () => {
	it('should fail only the patch a 422 names when a burst shares one request, and send the others again', async () => {
		const { endpoint, store } = setup({ name: 'Ada', theme: 'light' });
		const theme = store.update({ theme: 'dark' });
		const bio = store.update({ bio: 'x'.repeat(300) });
		await flush();
		expect(endpoint.requests[0].body).toEqual({ theme: 'dark', bio: 'x'.repeat(300) });
		await endpoint.requests[0].fail(422, {
			code: 'invalid_patch',
			message: 'Some fields need attention',
			issues: [{ path: ['bio'], message: 'At most 280 characters' }]
		});
		await expect(bio).resolves.toMatchObject({ ok: false, error: { status: 422 } });
		// The theme was never refused: it stays on screen and goes again, alone.
		expect(store.current?.user.theme).toBe('dark');
		await vi.waitFor(() => expect(endpoint.requests).toHaveLength(2));
		expect(endpoint.requests[1].body).toEqual({ theme: 'dark' });
		await endpoint.requests[1].succeed();
		await expect(theme).resolves.toMatchObject({ ok: true });
		expect(store.current?.user).toMatchObject({ theme: 'dark' });
		expect(store.current?.user.bio).toBeUndefined();
	});

	it('should fail the whole burst when the refusal names no field of it', async () => {
		const { endpoint, store } = setup({ name: 'Ada' });
		const a = store.update({ theme: 'dark' });
		const b = store.update({ fav_num: '1' });
		await flush();
		await endpoint.requests[0].fail(400, { code: 'invalid_body', message: 'no' });
		await expect(a).resolves.toMatchObject({ ok: false });
		await expect(b).resolves.toMatchObject({ ok: false });
		await flush();
		expect(endpoint.requests).toHaveLength(1);
	});

	it('should forget the last error when the session ends or another one begins', async () => {
		const { endpoint, store, errors } = setup({ name: 'Ada' });
		const failed = store.update({ bio: 'x' });
		await flush();
		await endpoint.requests[0].fail(500, 'oops');
		await failed;
		expect(errors.at(-1)).not.toBeNull();
		store.adopt(null);
		expect(errors.at(-1)).toBeNull();
		expect(get(store.status)).toBe('idle');
	});

	it('should give up on a request that never answers after `timeout` ms', async () => {
		const endpoint = fakeEndpoint({ name: 'Ada' });
		const hanging: typeof fetch = (_input, init) =>
			new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
		const store = createSessionSync<TestSession>({ ...endpoint.options(), fetch: hanging, timeout: 50 });
		cleanups.push(store.destroy);
		const result = await store.update({ theme: 'dark' });
		expect(result).toMatchObject({ ok: false, error: { status: 0, code: 'timeout' } });
		expect(store.current?.user.theme).toBeUndefined();
		expect(get(store.status)).toBe('error');
	});
});
