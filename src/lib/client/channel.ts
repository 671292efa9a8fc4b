import { isPlainObject } from '../patch.js';
import type { SyncSession } from '../types.js';

/** What tabs tell each other: a confirmed session, or `null` after a sign-out. */
export interface SessionMessage<Session extends SyncSession<object> = SyncSession> {
	type: 'session';
	session: Session | null;
	/** Top-level fields whose values this update confirmed, so other tabs can repair them too. */
	fields?: string[];
}

/** A cross-tab channel for session messages; `post` and `close` never throw. */
export interface SessionChannel<Session extends SyncSession<object> = SyncSession> {
	post(this: void, message: SessionMessage<Session>): void;
	close(this: void): void;
}

/**
 * Open a BroadcastChannel that carries session messages between tabs of this browser.
 *
 * @param name - The channel name; tabs with the same name hear each other.
 * @param onMessage - Called with every well-formed message from another tab (never from this one).
 * @returns The channel, or `null` where BroadcastChannel is missing or refuses to open.
 * @example
 * ```ts
 * const channel = openSessionChannel('sveltekit-session-sync', (message) => store.adopt(message.session));
 * channel?.post({ type: 'session', session: null });
 * channel?.close();
 * ```
 */
export function openSessionChannel<Session extends SyncSession<object>>(
	name: string,
	onMessage: (message: SessionMessage<Session>) => void
): SessionChannel<Session> | null {
	if (typeof BroadcastChannel === 'undefined') return null;
	let channel: BroadcastChannel;
	try {
		channel = new BroadcastChannel(name);
	} catch {
		return null;
	}
	let open = true;
	channel.onmessage = (event: MessageEvent) => {
		if (open && isSessionMessage<Session>(event.data)) onMessage(event.data);
	};
	return {
		post(message) {
			if (!open) return;
			try {
				channel.postMessage(message);
			} catch {
				// A session that cannot be cloned is simply not shared; the other tabs catch up on navigation.
			}
		},
		close() {
			if (!open) return;
			open = false;
			channel.onmessage = null;
			channel.close();
		}
	};
}

/** Accept only `{ type: 'session', session: null | { user: {…} }, fields?: string[] }`. */
function isSessionMessage<Session extends SyncSession<object>>(
	data: unknown
): data is SessionMessage<Session> {
	if (!isPlainObject(data) || data.type !== 'session') return false;
	if (data.fields !== undefined) {
		if (!Array.isArray(data.fields) || !data.fields.every((field) => typeof field === 'string')) return false;
	}
	return data.session === null || (isPlainObject(data.session) && isPlainObject(data.session.user));
}
