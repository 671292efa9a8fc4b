import { fromStore, writable } from 'svelte/store';
import { isPlainObject, isString, mergeValue, own } from '../patch.js';
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
import { composePatch } from './compose-patch.js';
import { failure, sendPatch, updateUrl } from './request.js';

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

/**
 * A queued (or in-flight) entry: a patch with the caller waiting for its result, or, without `patch`,
 * a repair that re-sends the confirmed values of the confirmed fields (its body is computed when sent).
 */
interface Entry<Session> {
	patch?: Json;
	resolve?: (result: UpdateResult<Session>) => void;
}

/** What tabs tell each other: a confirmed session, or `null` after a sign-out. */
interface SessionMessage<Session> {
	type: 'session';
	session: Session | null;
	/** Top-level fields whose values this update confirmed, so other tabs can repair them too. */
	fields?: string[];
}

const signedOut = () => failure('signed_out', 'Signed out');

const noop = () => {};

/** A deep copy through JSON text. */
const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/**
 * The in-tab fallback for Web Locks: the tail of the queue of tasks, shared by the stores of a page.
 * It holds only promises of work, never user data (on the server nothing ever runs here).
 */
let tail: Promise<unknown> = Promise.resolve();

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
	// Checked per store, not at import, so one module serves both SSR and the browser (a store made
	// during SSR serves that request only; hydration makes the browser's own).
	const browser = typeof window !== 'undefined';
	const url = updateUrl(options.endpoint ?? DEFAULT_ENDPOINT, options.flag ?? DEFAULT_FLAG);
	// Bound late so tests and polyfills that replace globalThis.fetch afterwards are honoured.
	const fetcher: typeof fetch = options.fetch ?? ((...args) => fetch(...args));
	const invalidateHook =
		options.invalidate ??
		// Outside a SvelteKit app (tests, a router not started yet) this rejects, and that is ignored.
		(() => import('$app/navigation').then((navigation) => navigation.invalidate(SESSION_DEPENDENCY)));

	/** The session as last confirmed by the server or adopted from page data / another tab. */
	let confirmed: Session | null = options.session ?? null;
	/** The highest version confirmed for the current session id; never goes back for one id. */
	let confirmedSync: SyncInfo | null = confirmed?.sync ?? null;
	/** Top-level fields whose values an update confirmed (here or in another tab), for repairs. */
	const confirmedFields = new Set<string>();
	/** The entries of the request in flight, then the entries not sent yet, in order. */
	let inFlight: Entry<Session>[] = [];
	let queue: Entry<Session>[] = [];
	/** Confirmed, then the in-flight patches, then the unsent ones. `null` exactly when `confirmed` is. */
	let optimistic: Session | null = confirmed;
	let lastError: SyncError | null = null;
	/** A send loop is scheduled or running; it runs until the queue is empty. */
	let pumping = false;

	const sessionStore = writable<Session | null>(optimistic);
	const statusStore = writable<SyncStatus>('idle');
	const errorStore = writable<SyncError | null>(null);
	// Makes `current` reactive when read in runes code (templates, $derived, $effect); a plain read elsewhere.
	const view = fromStore(sessionStore);

	// Only in a browser: on the server a channel would carry one request's session into another's.
	// Missing or refused BroadcastChannel: no cross-tab sharing, the tabs catch up on navigation.
	let channel: BroadcastChannel | undefined;
	if (options.broadcast !== false && browser) {
		try {
			channel = new BroadcastChannel(options.broadcast ?? DEFAULT_CHANNEL);
			channel.onmessage = ({ data }: MessageEvent) => {
				// Accept only `{ type: 'session', session: null | { user: {…} }, fields?: string[] }`.
				const { type, session, fields } = data ?? {};
				if (
					type === 'session' &&
					(session === null || isPlainObject(session?.user)) &&
					(fields === undefined || (Array.isArray(fields) && fields.every(isString)))
				) {
					take(session, fields, true);
				}
			};
		} catch {
			// No channel.
		}
	}

	function post(session: Session | null, fields?: string[]) {
		try {
			channel?.postMessage({ type: 'session', session, fields } satisfies SessionMessage<Session>);
		} catch {
			// A session that cannot be cloned (or a closed channel) is simply not shared.
		}
	}

	// A page that loads signed out (for instance right after a sign-out form post and its redirect)
	// proves the cookie is gone for the whole browser: tell the tabs that still show a session.
	if (!confirmed) post(null);

	/** Show confirmed with every pending patch on top. */
	function recompute() {
		let session = confirmed;
		for (const { patch } of [...inFlight, ...queue]) {
			if (patch && session) session = { ...session, user: mergeValue(session.user, patch) };
		}
		sessionStore.set((optimistic = session));
	}

	function setError(error: SyncError | null) {
		errorStore.set((lastError = error));
	}

	function refreshStatus() {
		statusStore.set(inFlight.length || queue.length ? 'saving' : lastError ? 'error' : 'idle');
	}

	function runInvalidate() {
		// Refreshing page data is a courtesy (the store already holds the confirmed session): never throws.
		(async () => invalidateHook())().catch(noop);
	}

	/** The confirmed values of `fields`; `null` removes one the confirmed user lacks. */
	function confirmedValues(fields: Iterable<string>): Json {
		const values: Json = {};
		for (const field of fields) values[field] = own(confirmed!.user as Json, field) ?? null;
		return values;
	}

	/**
	 * Confirmed fields whose values differ between `from` and `to`, compared as JSON text (both sides
	 * are JSON from the server; a nested object whose keys merely come in another order counts as
	 * different, which costs at most one idempotent repair request, never a wrong value).
	 */
	function lostFields(from: Json, to: Json): string[] {
		return [...confirmedFields].filter(
			(field) => JSON.stringify(own(from, field)) !== JSON.stringify(own(to, field))
		);
	}

	async function update(input: PatchInput<Session>): Promise<UpdateResult<Session>> {
		if (!browser) return failure('ssr', 'sessionSync.update() cannot run during server-side rendering');
		if (!optimistic) return signedOut();
		let patch: unknown;
		try {
			// A copy, so that a callback that mutates its argument cannot corrupt the store. The user is
			// JSON (it comes from the token through page data or the endpoint), so a JSON copy is exact
			// and, unlike structuredClone, available in every browser.
			if (typeof input === 'function') input = input(jsonCopy(optimistic.user));
			// A deep copy as it will travel (JSON), so later mutation by the caller cannot reach it.
			if (!isPlainObject(input) || !isPlainObject((patch = jsonCopy(input)))) {
				throw 'not a plain JSON object';
			}
		} catch (error) {
			return failure('invalid_patch', `Invalid patch (${error})`);
		}
		// Check again: the callback may have signed out meanwhile.
		const base = optimistic;
		if (!base) return signedOut();
		return new Promise((resolve) => {
			queue.push({ patch: patch as Json, resolve });
			// On top of what is shown, not recomputed from the confirmed session: a burst stays linear.
			sessionStore.set((optimistic = { ...base, user: mergeValue(base.user, patch) as Session['user'] }));
			refreshStatus();
			schedule();
		});
	}

	/** Send in a microtask, so that a burst of updates in one tick goes out as one request. */
	async function schedule() {
		if (pumping) return;
		pumping = true;
		await null;
		while (queue.length) {
			// Send holding the one update lock: across the tabs of this browser through Web Locks or,
			// where they are missing or refuse (no `navigator.locks`, a SecurityError…), across the
			// stores of this tab. Each response replaces the whole session cookie, so two updates in
			// flight would lose one of them. An error of `sendNext` ends that request only.
			let started = false;
			try {
				await navigator.locks.request(LOCK_NAME, () => {
					started = true;
					return sendNext();
				});
			} catch {
				// A refused lock must not lose the update.
				if (!started) await (tail = tail.then(sendNext).catch(noop));
			}
		}
		pumping = false;
		refreshStatus();
	}

	/**
	 * Send the longest prefix of the queue that composes into one exact merge patch. It is taken only
	 * once the lock is held, so patches made while waiting join it.
	 */
	async function sendNext() {
		let body: Json = {};
		let taken = 0;
		for (const entry of queue) {
			// A repair (no patch) only ever starts a request: its body is the confirmed values.
			const next = entry.patch ? composePatch(body, entry.patch) : !taken && confirmedValues(confirmedFields);
			if (!next) break;
			body = next;
			taken++;
		}
		const entries = queue.splice(0, taken);
		const sent = Object.keys(body);
		// Nothing to send: the queue was dropped while waiting, or a repair found nothing to repair.
		if (!sent.length && !entries.some((entry) => entry.patch)) return refreshStatus();
		inFlight = entries;
		const result = await sendPatch(fetcher, url, body, options.timeout ?? 30_000);
		let outcome: UpdateResult<Session> = result.ok ? signedOut() : result;
		let settled = entries;
		try {
			inFlight = [];
			if (!result.ok) {
				// A refusal that names its fields fails only the patches that carry one of them: the
				// others of the batch go again, first in the queue (always fewer, so this ends).
				const refused = result.error.issues?.map((issue) => issue.path[0]) ?? [];
				const innocent = (entry: Entry<Session>) =>
					refused.length && entry.patch && !Object.keys(entry.patch).some((key) => refused.includes(key));
				const guilty = entries.filter((entry) => !innocent(entry));
				if (guilty[0] && refused.every((field) => field in body)) {
					settled = guilty;
					queue.unshift(...entries.filter(innocent));
				}
				setError(result.error);
				// Dropping the failed patches from flight rolls back exactly their fields to the confirmed
				// values, while later pending patches stay applied.
				recompute();
			} else if (confirmed) {
				// The response is the new confirmed session (server wins).
				const { data, sync, expires } = result;
				let user = data;
				if (lag(sync) >= 0) {
					// The cookie this patch was merged into was older than our last confirmed update (a stale
					// parallel request put it back; see the Auth.js JWT session race). Keep what we confirmed
					// for the fields this request did not carry, and send them again.
					const lost = lostFields(confirmed.user as Json, user).filter((field) => !sent.includes(field));
					if (lost.length) {
						user = mergeValue(user, confirmedValues(lost)) as Json;
						queueRepair();
					}
				}
				// `sync` is a fresh object from the response, read-only from here on.
				const session = { ...confirmed, user, ...(sync && { sync }), ...(expires && { expires }) } as Session;
				setError(null);
				replaceBase(session, sent);
				post(session, sent);
				runInvalidate();
				outcome = { ok: true, session };
			}
			refreshStatus();
		} finally {
			for (const entry of settled) entry.resolve?.(outcome);
		}
	}

	function queueRepair() {
		if (queue.some((entry) => !entry.patch)) return;
		// First in the queue: unsent patches are composed on top of the repaired values.
		queue.unshift({});
		refreshStatus();
		schedule();
	}

	/**
	 * How many versions `sync` is behind the last confirmed one of the current session id: above 0 for
	 * a stale session, 0 for the same version, below 0 for a newer one, another id or none.
	 */
	function lag(sync?: SyncInfo): number {
		return sync && sync.id === confirmedSync?.id ? confirmedSync.version - sync.version : -1;
	}

	/**
	 * Make `incoming` the confirmed base, with `fields` confirmed, and re-apply every pending patch on
	 * top. The confirmed version never goes back for one session id; another id (or none, or a
	 * sign-out with `null`) starts over.
	 */
	function replaceBase(incoming: Session | null, fields?: string[]) {
		const sync = incoming?.sync;
		if (!sync || sync.id !== confirmedSync?.id) {
			confirmedFields.clear();
			if (confirmedSync) setError(null); // another session: its error is not this one's
			confirmedSync = sync ?? null;
		} else if (lag(sync) < 0) {
			// A newer version of the same session.
			confirmedSync = sync;
		}
		fields?.forEach(confirmedFields.add, confirmedFields);
		confirmed = incoming;
		recompute();
	}

	/**
	 * Take a session from page data (`adopt`) or, with `fromTab`, from another tab's message. Page data
	 * older than the last confirmed update is not shown, and the confirmed values are put back into the
	 * cookie in case the request that loaded it also re-set it; a stale message is only ignored (that
	 * tab's own store repairs what its request saw). A sign-out is passed on to the other tabs.
	 */
	function take(session: Session | null | undefined, fields?: string[], fromTab?: boolean) {
		if (!session) {
			if (!confirmed) return;
			// Signed out. The last error belonged to the session that ended.
			setError(null);
			// Unsent patches have no session to go to; a request in flight finishes on its own.
			for (const entry of queue) entry.resolve?.(signedOut());
			queue = [];
			replaceBase(null);
			refreshStatus();
			if (fromTab) runInvalidate();
			else post(null);
		} else if (lag(session.sync) <= 0) {
			replaceBase(session, fields);
			if (fromTab) runInvalidate();
		} else if (!fromTab && lostFields(confirmed!.user as Json, session.user as Json).length) {
			queueRepair();
		}
	}

	return {
		subscribe: sessionStore.subscribe,
		get current() {
			return view.current;
		},
		update,
		// `undefined` is no news (a load that did not return a session): only `null` means signed out.
		adopt: (session) => void (session !== undefined && take(session)),
		status: { subscribe: statusStore.subscribe },
		error: { subscribe: errorStore.subscribe },
		destroy() {
			channel?.close();
		}
	};
}
