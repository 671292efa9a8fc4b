/**
 * Public types shared by the browser and the server halves of the kit. Nothing here imports
 * `$app`, `$env` or Auth.js, so it is safe everywhere.
 */

/** A value that can travel as JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The user object the kit puts on `session.user`: the exposed read-only fields plus the writable ones.
 * Apps get a precise type from `defineSessionSync` (see `InferSessionUser`); this is the loose default.
 */
export interface SessionUser {
	name?: string | null;
	email?: string | null;
	image?: string | null;
	[field: string]: unknown;
}

/**
 * What the kit adds beside `user` on the session: which session this is and how many updates it has
 * accepted. The client uses it to refuse page data that is older than an update it saw confirmed.
 */
export interface SyncInfo {
	/** Random id chosen at sign-in; changes when another sign-in replaces the session. */
	id: string;
	/** Raised by one with every accepted update; 0 right after sign-in. */
	version: number;
}

/** The session as the browser sees it: what `load` returns as `data.session` and the store holds. */
export interface SyncSession<User extends object = SessionUser> {
	user: User;
	/** ISO date at which the session cookie expires (set by Auth.js). */
	expires: string;
	/** Version information; absent only on sessions created before the kit was installed. */
	sync?: SyncInfo;
	[key: string]: unknown;
}

/**
 * A JSON Merge Patch (RFC 7396) over the writable fields: a field set to `null` is removed, a field
 * left out is unchanged.
 */
export type SessionPatch<Writable extends object = Record<string, unknown>> = {
	[K in keyof Writable]?: Writable[K] | null;
};

/** What the store is doing: nothing, waiting for the server, or showing the last failure. */
export type SyncStatus = 'idle' | 'saving' | 'error';

/** One problem with one field of a patch. `path[0]` is the field name. */
export interface SyncIssue {
	path: string[];
	message: string;
}

/** The error body of every failed request to the update endpoint (`{ "error": SyncErrorBody }`). */
export interface SyncErrorBody {
	code: string;
	message: string;
	issues?: SyncIssue[];
}

/**
 * A failed update as the store reports it. `status` is the HTTP status, or 0 when no response came
 * (network error or abort).
 */
export interface SyncError extends SyncErrorBody {
	status: number;
}

/** What `sessionSync.update()` resolves to; it never rejects. */
export type UpdateResult<Session> = { ok: true; session: Session } | { ok: false; error: SyncError };

/** The stable error codes the endpoint and the store use. */
export type SyncErrorCode =
	| 'invalid_json'
	| 'invalid_body'
	| 'flag_required'
	| 'unauthenticated'
	| 'forbidden_origin'
	| 'body_too_large'
	| 'cookie_too_large'
	| 'unsupported_media_type'
	| 'invalid_patch'
	| 'server_error'
	| 'network_error'
	| 'aborted'
	| 'timeout'
	| 'ssr'
	| 'signed_out';

/** The dependency that `load` declares, so that `invalidate(SESSION_DEPENDENCY)` re-runs it. */
export const SESSION_DEPENDENCY = 'session-sync:session';

/** Defaults of the wire protocol, shared by the store and the server helper. */
export const DEFAULT_ENDPOINT = '/api/update-user-data';
export const DEFAULT_FLAG = { name: 'query', value: 'update-user-data' } as const;

import type { Readable } from 'svelte/store';

/** A patch, or a function that computes one from the current (optimistic) user. */
export type PatchInput<Session extends SyncSession<object>> =
	| SessionPatch<Session['user']>
	| ((user: Session['user']) => SessionPatch<Session['user']>);

/**
 * The store returned by `createSessionSync`: a Svelte readable of the optimistic session (`null` when
 * signed out) with methods that are safe to destructure.
 */
export interface SessionSyncStore<Session extends SyncSession<object> = SyncSession>
	extends Readable<Session | null> {
	/** The optimistic session right now, for runes code that does not subscribe. */
	readonly current: Session | null;
	/** Apply a patch at once (optimistic), then save it; resolves when the server has answered. */
	update(this: void, patch: PatchInput<Session>): Promise<UpdateResult<Session>>;
	/** Hand the store a session that arrived from page data (navigation, invalidation); `null` signs out, `undefined` is ignored. */
	adopt(this: void, session: Session | null | undefined): void;
	/** `'idle' | 'saving' | 'error'`. */
	readonly status: Readable<SyncStatus>;
	/** The last failure, `null` again after the next success. */
	readonly error: Readable<SyncError | null>;
	/** Stop listening to other tabs; the store keeps its value. */
	destroy(this: void): void;
}

/** Options of `createSessionSync`. */
export interface SessionSyncOptions<Session extends SyncSession<object> = SyncSession> {
	/** The session from page data (`data.session`). @default null */
	session?: Session | null;
	/** Path of the update endpoint. @default '/api/update-user-data' */
	endpoint?: string;
	/** Name and value of the flag sent as a query parameter. @default { name: 'query', value: 'update-user-data' } */
	flag?: { name: string; value: string };
	/** The `fetch` to use (SvelteKit's, or a test double). @default globalThis.fetch */
	fetch?: typeof fetch;
	/**
	 * Share confirmed updates and sign-outs with other tabs of this browser (BroadcastChannel name, or
	 * `false` to turn off). @default 'sveltekit-session-sync'
	 */
	broadcast?: string | false;
	/**
	 * Called after each confirmed update so page data refreshes; by default it invalidates
	 * `SESSION_DEPENDENCY` through `$app/navigation`. @default invalidate('session-sync:session')
	 */
	invalidate?: () => unknown;
	/** Give up on an update request after this many milliseconds (error code `timeout`, status 0). @default 30000 */
	timeout?: number;
}
