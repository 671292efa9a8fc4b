/**
 * A fake update endpoint for store tests: a `fetch` double that holds a "cookie" (user + sync
 * version), merges patches like the real server, and answers only when the test says so.
 */
import { vi } from 'vitest';
import { mergePatch } from '../../src/lib/patch.js';
import type { SessionSyncOptions, SessionUser, SyncInfo, SyncSession } from '../../src/lib/types.js';

export type TestUser = SessionUser & { fav_num?: string; bio?: string; theme?: string };
export type TestSession = SyncSession<TestUser>;

export const EXPIRES = '2099-01-01T00:00:00.000Z';

/** One request the store made, waiting for the test to answer it. */
export interface PendingRequest {
	url: string;
	init: RequestInit;
	body: Record<string, unknown>;
	/** Merge the body into the cookie, raise the version, answer 200. `data` overrides the answer. */
	succeed(override?: { data?: Record<string, unknown>; sync?: SyncInfo | null }): Promise<void>;
	/** Answer `status` with `{ error }`, or with a raw text body when `error` is a string. */
	fail(status: number, error?: { code: string; message: string; issues?: unknown } | string): Promise<void>;
	/** Reject the fetch like a network failure. */
	networkError(): Promise<void>;
	/** Reject the fetch like an aborted request. */
	abort(): Promise<void>;
}

export function deferred<T>() {
	let resolve!: (value: T) => void;
	let reject!: (reason: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** Let every queued microtask and the store's request chain run. */
export function flush(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

export function createFakeEndpoint(user: TestUser = { name: 'Ada Lovelace', email: 'ada@example.com' }) {
	const cookie: { user: TestUser; sync: SyncInfo } = { user: { ...user }, sync: { id: 'sid-1', version: 0 } };
	const requests: PendingRequest[] = [];
	const open: PendingRequest[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	/** Answer every request at once with success (for tests that do not care about timing). */
	let auto = false;

	const fetchDouble = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
		inFlight += 1;
		maxInFlight = Math.max(maxInFlight, inFlight);
		const answer = deferred<Response>();
		const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
		const settled = () => flush();
		const close = () => {
			open.splice(open.indexOf(request), 1);
		};
		const request: PendingRequest = {
			url: String(input),
			init: init ?? {},
			body,
			async succeed(override) {
				close();
				cookie.user = mergePatch(cookie.user, body);
				cookie.sync = { ...cookie.sync, version: cookie.sync.version + 1 };
				const payload: Record<string, unknown> = { data: override?.data ?? cookie.user, expires: EXPIRES };
				if (override?.sync !== null) payload.sync = override?.sync ?? cookie.sync;
				answer.resolve(json(200, payload));
				await settled();
			},
			async fail(status, error) {
				close();
				answer.resolve(
					typeof error === 'string'
						? new Response(error, { status, headers: { 'content-type': 'text/html' } })
						: json(status, { error: error ?? { code: 'server_error', message: 'Boom' } })
				);
				await settled();
			},
			async networkError() {
				close();
				answer.reject(new TypeError('Failed to fetch'));
				await settled();
			},
			async abort() {
				close();
				answer.reject(new DOMException('The operation was aborted.', 'AbortError'));
				await settled();
			}
		};
		requests.push(request);
		open.push(request);
		if (auto) void request.succeed();
		try {
			return await answer.promise;
		} finally {
			inFlight -= 1;
		}
	});

	return {
		fetch: fetchDouble as unknown as typeof globalThis.fetch,
		fetchMock: fetchDouble,
		cookie,
		requests,
		/** Requests sent and not answered yet. */
		open,
		get maxInFlight() {
			return maxInFlight;
		},
		autoRespond(on = true) {
			auto = on;
		},
		/**
		 * Answer everything still open, and whatever the stores send next. A request left hanging
		 * would hold the update lock, which is shared by every store of the page, for later tests.
		 */
		async drain() {
			auto = true;
			while (open.length > 0) await open[0].succeed();
			await flush();
		},
		/** The session as page data would carry it right now. */
		session(): TestSession {
			return { user: structuredClone(cookie.user), expires: EXPIRES, sync: { ...cookie.sync } };
		},
		/** Store options wired to this endpoint, no broadcast, a spy for invalidation. */
		options(extra: Partial<SessionSyncOptions<TestSession>> = {}): SessionSyncOptions<TestSession> {
			return {
				session: { user: structuredClone(cookie.user), expires: EXPIRES, sync: { ...cookie.sync } },
				fetch: fetchDouble as unknown as typeof globalThis.fetch,
				broadcast: false,
				invalidate: vi.fn(),
				...extra
			};
		}
	};
}

function json(status: number, body: unknown): Response {
	return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
