import { createSubscriber } from 'svelte/reactivity';
import { writable } from 'svelte/store';
import { hasOwn, isPlainObject, jsonEqual, mergePatch } from '../patch.js';
import {
	DEFAULT_ENDPOINT,
	DEFAULT_FLAG,
	SESSION_DEPENDENCY,
	type PatchInput,
	type SessionSyncOptions,
	type SessionSyncStore,
	type SyncError,
	type SyncInfo,
	type SyncSession,
	type SyncStatus,
	type UpdateResult
} from '../types.js';
import { openSessionChannel, type SessionMessage } from './channel.js';
import { composePatch } from './compose-patch.js';
import { runExclusive } from './lock.js';
import { sendPatch, updateUrl, type SendResult } from './request.js';

/**
 * Default BroadcastChannel name shared by the tabs of one browser.
 *
 * @example
 * ```ts
 * createSessionSync({ session, broadcast: `${DEFAULT_CHANNEL}:admin` }); // a separate group of tabs
 * ```
 */
export const DEFAULT_CHANNEL = 'sveltekit-session-sync';

/**
 * One Web Lock for every store of every tab: all updates write the same session cookie, whatever
 * endpoint they go through.
 */
const LOCK_NAME = 'sveltekit-session-sync:update';

type Json = Record<string, unknown>;

/** A patch waiting to be sent (or in flight), with the caller waiting for its result. */
interface PatchEntry<Session> {
	kind: 'patch';
	patch: Json;
	resolve: (result: UpdateResult<Session>) => void;
}

/** Re-send the confirmed values of the confirmed fields; its body is computed when it is sent. */
interface RepairEntry {
	kind: 'repair';
}

type Entry<Session> = PatchEntry<Session> | RepairEntry;

const SSR_ERROR: SyncError = {
	status: 0,
	code: 'ssr',
	message: 'sessionSync.update() cannot run during server-side rendering'
};

const SIGNED_OUT_ERROR: SyncError = {
	status: 0,
	code: 'signed_out',
	message: 'There is no session to update: the user is signed out'
};

/**
 * Create the browser store of the session: a Svelte readable of the optimistic session with methods to
 * change the user's writable fields. Create one per app instance (in the root layout) and hand it down
 * with `setSessionSync`; never keep it in a module, where the server would share it between users.
 *
 * - `update(patch)` applies the patch at once, then POSTs it to the endpoint. Only one request is ever
 *   in flight per browser (Web Locks across tabs, an in-tab queue where they are missing); patches made
 *   meanwhile, or in the same tick, are coalesced into the next request.
 * - On success the server's `data` becomes `session.user` (server wins) with still-pending patches
 *   re-applied on top; on failure exactly the failed patch is rolled back and `error` is set. A 401 is
 *   reported like any other failure: the store keeps its value until page data says the session is
 *   gone (`adopt(null)`).
 * - `adopt(session)` takes sessions from page data, refusing ones older than the last confirmed update
 *   (same `sync.id`, lower `sync.version`) and re-sending the confirmed values so that the cookie, which
 *   a stale parallel request may have put back, holds them again.
 * - Confirmed updates and sign-outs are shared with other tabs through a BroadcastChannel.
 * - `current` is the optimistic session, reactive when read in runes code (`$derived`, templates).
 *
 * @param options - The initial session, endpoint and flag, `fetch`, channel name and invalidation hook.
 * @returns The store; all its methods are safe to destructure.
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { createSessionSync, setSessionSync } from 'sveltekit-session-sync';
 *   let { data, children } = $props();
 *   const sessionSync = createSessionSync({ session: data.session });
 *   setSessionSync(sessionSync);
 *   $effect(() => sessionSync.adopt(data.session));
 * </script>
 *
 * <button onclick={() => sessionSync.update({ theme: 'dark' })}>Dark</button>
 * {@render children()}
 * ```
 */
export function createSessionSync<Session extends SyncSession<object> = SyncSession>(
	options: SessionSyncOptions<Session> = {}
): SessionSyncStore<Session> {
	const url = updateUrl(options.endpoint ?? DEFAULT_ENDPOINT, options.flag ?? DEFAULT_FLAG);
	// Bound late so tests and polyfills that replace globalThis.fetch afterwards are honoured.
	const fetcher: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const invalidateHook = options.invalidate ?? defaultInvalidate;

	/** The session as last confirmed by the server or adopted from page data / another tab. */
	let confirmed: Session | null = options.session ?? null;
	/** The highest version confirmed for the current session id; never goes back for one id. */
	let confirmedSync: SyncInfo | null = confirmed?.sync ? { ...confirmed.sync } : null;
	/** Top-level fields whose values an update confirmed (here or in another tab), for repairs. */
	const confirmedFields = new Set<string>();
	/** The entries of the request in flight, then the entries not sent yet, in order. */
	let inFlight: Entry<Session>[] = [];
	let queue: Entry<Session>[] = [];
	let optimistic: Session | null = confirmed;
	let lastError: SyncError | null = null;
	let scheduled = false;
	let pumping = false;

	const sessionStore = writable<Session | null>(optimistic);
	const statusStore = writable<SyncStatus>('idle');
	const errorStore = writable<SyncError | null>(null);
	// Makes `current` reactive when read in runes code (templates, $derived, $effect); a no-op elsewhere.
	const track = createSubscriber((changed) => {
		let initial = true;
		return sessionStore.subscribe(() => {
			if (initial) initial = false;
			else changed();
		});
	});

	// Only in a browser: on the server a channel would carry one request's session into another's.
	const channel =
		options.broadcast !== false && isBrowser()
			? openSessionChannel<Session>(options.broadcast ?? DEFAULT_CHANNEL, receive)
			: null;
	// A page that loads signed out (for instance right after a sign-out form post and its redirect)
	// proves the cookie is gone for the whole browser: tell the tabs that still show a session.
	if (confirmed === null) channel?.post({ type: 'session', session: null });

	function publish() {
		sessionStore.set(optimistic);
	}

	/** Optimistic = confirmed, then the in-flight patches, then the unsent ones. */
	function recompute() {
		if (confirmed === null) {
			optimistic = null;
		} else {
			let user = confirmed.user as Json;
			for (const entry of [...inFlight, ...queue]) {
				if (entry.kind === 'patch') user = mergePatch(user, entry.patch);
			}
			optimistic = user === confirmed.user ? confirmed : ({ ...confirmed, user } as Session);
		}
		publish();
	}

	function refreshStatus() {
		const busy = inFlight.length > 0 || queue.length > 0;
		statusStore.set(busy ? 'saving' : lastError ? 'error' : 'idle');
	}

	function runInvalidate() {
		try {
			const result = invalidateHook();
			if (isThenable(result)) result.then(undefined, () => {});
		} catch {
			// Refreshing page data is a courtesy; the store already holds the confirmed session.
		}
	}

	function update(input: PatchInput<Session>): Promise<UpdateResult<Session>> {
		if (!isBrowser()) return Promise.resolve({ ok: false, error: { ...SSR_ERROR } });
		if (confirmed === null || optimistic === null) {
			return Promise.resolve({ ok: false, error: { ...SIGNED_OUT_ERROR } });
		}
		let patch: Json;
		try {
			const raw =
				typeof input === 'function' ? input(copyOf(optimistic.user)) : input;
			patch = toJsonPatch(raw);
		} catch (error) {
			const detail = error instanceof Error ? error.message : String(error);
			return Promise.resolve({
				ok: false,
				error: { status: 0, code: 'invalid_patch', message: `Invalid patch: ${detail}` }
			});
		}
		const current: Session = optimistic;
		return new Promise<UpdateResult<Session>>((resolve) => {
			queue.push({ kind: 'patch', patch, resolve });
			optimistic = { ...current, user: mergePatch(current.user as Json, patch) } as Session;
			publish();
			refreshStatus();
			schedule();
		});
	}

	/** Send in a microtask, so that a burst of updates in one tick goes out as one request. */
	function schedule() {
		if (scheduled || pumping) return;
		scheduled = true;
		queueMicrotask(() => {
			scheduled = false;
			void pump();
		});
	}

	async function pump() {
		if (pumping) return;
		pumping = true;
		try {
			while (queue.length > 0) {
				await runExclusive(LOCK_NAME, sendNext).catch(() => {});
			}
		} finally {
			pumping = false;
			refreshStatus();
		}
	}

	/** Take the batch only once the lock is held, so patches made while waiting join it. */
	async function sendNext() {
		const batch = takeBatch();
		if (batch === null) return;
		const result: SendResult =
			confirmed === null ? { ok: false, error: { ...SIGNED_OUT_ERROR } } : await sendPatch(fetcher, url, batch.body);
		settle(batch.entries, batch.body, result);
	}

	/** Move the longest prefix of the queue that composes into one exact merge patch into flight. */
	function takeBatch(): { entries: Entry<Session>[]; body: Json } | null {
		let body: Json = {};
		const entries: Entry<Session>[] = [];
		let taken = 0;
		for (const entry of queue) {
			if (entry.kind === 'repair') {
				if (entries.length > 0) break;
				body = repairPatch();
			} else {
				const next = composePatch(body, entry.patch);
				if (next === undefined) break;
				body = next;
			}
			entries.push(entry);
			taken += 1;
		}
		queue = queue.slice(taken);
		if (entries.length === 1 && entries[0].kind === 'repair' && Object.keys(body).length === 0) {
			refreshStatus();
			return null;
		}
		inFlight = entries;
		return { entries, body };
	}

	/** The confirmed values of every confirmed field; `null` removes one the confirmed user lacks. */
	function repairPatch(): Json {
		const patch: Json = {};
		if (confirmed === null) return patch;
		const user = confirmed.user as Json;
		for (const field of confirmedFields) patch[field] = hasOwn(user, field) ? user[field] : null;
		return patch;
	}

	function queueRepair() {
		if (queue.some((entry) => entry.kind === 'repair')) return;
		// First in the queue: unsent patches are composed on top of the repaired values.
		queue.unshift({ kind: 'repair' });
		refreshStatus();
		schedule();
	}

	function settle(entries: Entry<Session>[], body: Json, result: SendResult) {
		let outcome: UpdateResult<Session> = result.ok
			? { ok: false, error: { ...SIGNED_OUT_ERROR } }
			: { ok: false, error: result.error };
		try {
			inFlight = [];
			if (result.ok && confirmed !== null) {
				const session = confirm(body, result);
				outcome = { ok: true, session };
			} else if (!result.ok) {
				lastError = result.error;
				errorStore.set(lastError);
				// Dropping the failed patch from flight rolls back exactly its fields to the confirmed
				// values, while later pending patches stay applied.
				recompute();
			}
			refreshStatus();
		} finally {
			for (const entry of entries) if (entry.kind === 'patch') entry.resolve(outcome);
		}
	}

	/** Take a successful response as the new confirmed session (server wins). */
	function confirm(body: Json, result: Extract<SendResult, { ok: true }>): Session {
		const base = confirmed as Session;
		const prior = confirmedSync;
		const sent = Object.keys(body);
		let user = result.data;
		let repair = false;
		const sameId = prior !== null && result.sync !== undefined && result.sync.id === prior.id;
		if (sameId && result.sync!.version <= prior.version) {
			// The cookie this patch was merged into was older than our last confirmed update (a stale
			// parallel request put it back; see the Auth.js JWT session race). Keep what we confirmed
			// for the fields this request did not carry, and send them again.
			const keep: Json = {};
			const previous = base.user as Json;
			for (const field of confirmedFields) {
				if (sent.includes(field)) continue;
				const expected = hasOwn(previous, field) ? previous[field] : undefined;
				const actual = hasOwn(user, field) ? user[field] : undefined;
				if (!jsonEqual(expected, actual)) keep[field] = expected === undefined ? null : expected;
			}
			if (Object.keys(keep).length > 0) {
				user = mergePatch(user, keep);
				repair = true;
			}
		}
		if (result.sync && !sameId) confirmedFields.clear();
		for (const field of sent) confirmedFields.add(field);
		if (result.sync && (!sameId || result.sync.version > prior!.version)) confirmedSync = { ...result.sync };

		const next = { ...base, user } as Session;
		if (result.sync) (next as SyncSession).sync = { ...result.sync };
		if (result.expires) (next as SyncSession).expires = result.expires;
		confirmed = next;
		lastError = null;
		errorStore.set(null);
		if (repair) queueRepair();
		recompute();
		channel?.post({ type: 'session', session: next, fields: sent });
		runInvalidate();
		return next;
	}

	/** True when `incoming` is the current session at a version older than the last confirmed one. */
	function isStale(incoming: Session): boolean {
		const sync = incoming.sync;
		return (
			sync !== undefined &&
			confirmedSync !== null &&
			sync.id === confirmedSync.id &&
			sync.version < confirmedSync.version
		);
	}

	/** True when `incoming` lacks a value this store saw confirmed. */
	function lostConfirmedValues(incoming: Session): boolean {
		if (confirmed === null) return false;
		const known = confirmed.user as Json;
		const seen = incoming.user as Json;
		for (const field of confirmedFields) {
			const expected = hasOwn(known, field) ? known[field] : undefined;
			const actual = hasOwn(seen, field) ? seen[field] : undefined;
			if (!jsonEqual(expected, actual)) return true;
		}
		return false;
	}

	function signOut(): boolean {
		if (confirmed === null) return false;
		confirmed = null;
		confirmedSync = null;
		confirmedFields.clear();
		// Unsent patches have no session to go to; a request in flight finishes on its own.
		const dropped = queue.filter((entry): entry is PatchEntry<Session> => entry.kind === 'patch');
		queue = [];
		try {
			recompute();
			refreshStatus();
		} finally {
			for (const entry of dropped) entry.resolve({ ok: false, error: { ...SIGNED_OUT_ERROR } });
		}
		return true;
	}

	/** Make `incoming` the confirmed base and re-apply every pending patch on top. */
	function replaceBase(incoming: Session, fields?: string[]) {
		const sync = incoming.sync;
		if (!sync || !confirmedSync || sync.id !== confirmedSync.id) confirmedFields.clear();
		confirmedSync = sync ? { id: sync.id, version: sync.version } : null;
		if (fields) for (const field of fields) confirmedFields.add(field);
		confirmed = incoming;
		recompute();
	}

	function adopt(session: Session | null | undefined) {
		const incoming = session ?? null;
		if (incoming === null) {
			if (signOut()) channel?.post({ type: 'session', session: null });
			return;
		}
		if (isStale(incoming)) {
			// Older page data than our last confirmed update: do not show it, and put the confirmed
			// values back into the cookie in case the request that loaded it also re-set it.
			if (lostConfirmedValues(incoming)) queueRepair();
			return;
		}
		replaceBase(incoming);
	}

	/** A message from another tab: same rules as page data, but a stale one is only ignored (that
	 * tab's own store repairs what its request saw). */
	function receive(message: SessionMessage<Session>) {
		if (message.session === null) {
			if (signOut()) runInvalidate();
			return;
		}
		if (isStale(message.session)) return;
		replaceBase(message.session, message.fields);
		runInvalidate();
	}

	function destroy() {
		channel?.close();
	}

	return {
		subscribe: sessionStore.subscribe,
		get current() {
			track();
			return optimistic;
		},
		update,
		adopt,
		status: { subscribe: statusStore.subscribe },
		error: { subscribe: errorStore.subscribe },
		destroy
	};
}

/** Checked at call time (not import time) so one module serves both SSR and the browser. */
function isBrowser(): boolean {
	return typeof window !== 'undefined';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
	return (
		(typeof value === 'object' || typeof value === 'function') &&
		value !== null &&
		typeof (value as { then?: unknown }).then === 'function'
	);
}

/** A copy for callbacks to read, so a callback that mutates its argument cannot corrupt the store. */
function copyOf<T>(value: T): T {
	try {
		return structuredClone(value);
	} catch {
		return value;
	}
}

/** A deep copy of a plain-object patch as it will travel (JSON), so later mutation cannot reach it. */
function toJsonPatch(raw: unknown): Json {
	if (!isPlainObject(raw)) throw new TypeError('a patch must be a plain object');
	const copy: unknown = JSON.parse(JSON.stringify(raw));
	if (!isPlainObject(copy)) throw new TypeError('a patch must be a plain object');
	return copy;
}

/** Re-run `load` functions that depend on the session; only in a browser, never throws. */
async function defaultInvalidate(): Promise<void> {
	if (!isBrowser()) return;
	try {
		const { invalidate } = await import('$app/navigation');
		await invalidate(SESSION_DEPENDENCY);
	} catch {
		// Outside a SvelteKit app (tests, a router not started yet) there is nothing to invalidate.
	}
}
