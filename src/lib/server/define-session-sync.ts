import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { SvelteKitAuthConfig } from '@auth/sveltekit';
import type { RequestEvent } from '@sveltejs/kit';
import { error as kitError } from '@sveltejs/kit';
// `$app/server` also guards the bundle: SvelteKit refuses to put this module into client code.
import { getRequestEvent } from '$app/server';
import { hasOwn, isPlainObject, mergeValue } from '../patch.js';
import { DEFAULT_ENDPOINT, DEFAULT_FLAG, SESSION_DEPENDENCY } from '../types.js';
import type { SyncIssue, SyncSession } from '../types.js';
import {
	SyncFailure,
	assertJsonContentType,
	assertSameOrigin,
	errorResponse,
	jsonResponse,
	readLimitedText
} from './http.js';
import { parseJsonStrict } from './json.js';
import {
	commitWrites,
	heldCookieLength,
	holdWrites,
	releaseWrites,
	requestState,
	sessionCookieMatcher,
	type RequestState
} from './request-state.js';
import {
	SYNC_ID_CLAIM,
	SYNC_VERSION_CLAIM,
	INVALID_PATCH_MESSAGE,
	assertFieldDefinitions,
	checkPatch,
	validateValue,
	type FieldSchemas
} from './validate.js';
import { createFormAction } from './form-action.js';

/** The form action type (`sessionSync.actions.updateUserData`). */
export type FormAction<User extends object> = ReturnType<typeof createFormAction<User>>;

type Callbacks = NonNullable<SvelteKitAuthConfig['callbacks']>;
type JwtCallback = NonNullable<Callbacks['jwt']>;
type SessionCallback = NonNullable<Callbacks['session']>;
type Token = Record<string, unknown>;

/** Read-only fields whose type the kit knows; any other exposed claim is `unknown`. */
interface KnownClaims {
	name: string | null;
	email: string | null;
	image: string | null;
	id: string;
}

/** The `session.user` type that follows from `fields` and `expose`. */
export type InferSessionUser<Fields extends FieldSchemas, Expose extends readonly string[]> = {
	[K in Expose[number]]?: K extends keyof KnownClaims ? KnownClaims[K] : unknown;
} & {
	[K in keyof Fields]?: StandardSchemaV1.InferOutput<Fields[K]>;
};

/** Options of `defineSessionSync`. */
export interface DefineSessionSyncOptions<
	Fields extends FieldSchemas,
	Expose extends readonly string[]
> {
	/** The only writable fields, one Standard Schema each (valibot, zod, arktype…). */
	fields: Fields;
	/** Read-only token claims copied into `session.user` (`image` reads `picture`, `id` reads `sub`). @default ['name', 'email', 'image'] */
	expose?: Expose;
	/** Path of the update endpoint, used to recognise update requests. @default '/api/update-user-data' */
	endpoint?: string;
	/** Flag that marks an update request, as a query parameter or a header. @default { name: 'query', value: 'update-user-data' } */
	flag?: { name: string; value: string };
	/** Largest request body accepted, in bytes. @default 8192 */
	maxBodyBytes?: number;
	/** Largest session cookie an update may produce, in characters (one Auth.js chunk). @default 3936 */
	maxCookieBytes?: number;
	/** Other origins allowed to call the endpoint from a browser, e.g. `['https://admin.example.com']`. @default [] */
	allowedOrigins?: readonly string[];
	/**
	 * A read re-sets the session cookie only when the token is at least this old (seconds), like
	 * Auth.js's `session.updateAge` for database sessions. @default 86400
	 */
	updateAge?: number;
	/**
	 * The session cookie's name, if the Auth.js config sets `cookies.sessionToken.name`; the kit must
	 * recognise it to hold writes back and measure it. @default 'authjs.session-token' (and its `__Secure-` form)
	 */
	cookieName?: string;
}

/** The app's own Auth.js callbacks that `callbacks()` wraps. */
export interface AppCallbacks {
	jwt?: JwtCallback;
	session?: SessionCallback;
}

/** What `defineSessionSync` returns. */
export interface SessionSync<User extends object> {
	/** Auth.js callbacks for `SvelteKitAuth(async (event) => ({ callbacks: sessionSync.callbacks(event, { jwt, session }) }))`. */
	callbacks(event?: RequestEvent, app?: AppCallbacks): Callbacks;
	/** The update endpoint: `export const POST = sessionSync.POST`. */
	POST: (event: RequestEvent) => Promise<Response>;
	/** Root layout load: `export const load = sessionSync.load` → `{ session }`. */
	load: (event: Pick<RequestEvent, 'locals' | 'cookies' | 'url'> & { depends(...deps: `${string}:${string}`[]): void }) => Promise<{
		session: SyncSession<User> | null;
	}>;
	/** Form action for the no-JavaScript editor: `export const actions = { ...sessionSync.actions }`. */
	actions: { updateUserData: FormAction<User> };
	/** Validate a patch exactly as the endpoint does, without saving it. */
	validate(patch: unknown): Promise<{ ok: true; patch: Record<string, unknown> } | { ok: false; issues: SyncIssue[] }>;
	/** Names of the writable fields. */
	readonly writable: readonly string[];
	/** Names of the exposed read-only fields. */
	readonly expose: readonly string[];
}

const DEFAULT_EXPOSE = ['name', 'email', 'image'] as const;

/**
 * Define which session fields the browser may change and how they are checked, and get the Auth.js
 * callbacks, endpoint, load and form action that enforce it.
 *
 * @param options writable `fields` (one Standard Schema each), read-only `expose`, limits and origins
 * @returns `{ callbacks, POST, load, actions, validate }`
 * @throws at start-up when a writable field is a reserved claim or also exposed
 * @example
 * ```ts
 * export const sessionSync = defineSessionSync({
 *   fields: { theme: v.picklist(['light', 'dark', 'system']) },
 *   expose: ['name', 'email', 'image']
 * });
 * ```
 */
export function defineSessionSync<
	const Fields extends FieldSchemas,
	const Expose extends readonly string[] = typeof DEFAULT_EXPOSE
>(
	options: DefineSessionSyncOptions<Fields, Expose>
): SessionSync<InferSessionUser<Fields, Expose>> {
	type User = InferSessionUser<Fields, Expose>;
	const fields = options.fields;
	const expose: readonly string[] = options.expose ?? DEFAULT_EXPOSE;
	assertFieldDefinitions(fields, expose);

	const endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
	const flag = options.flag ?? DEFAULT_FLAG;
	const maxBodyBytes = positive(options.maxBodyBytes, 8192, 'maxBodyBytes');
	const maxCookieBytes = positive(options.maxCookieBytes, 3936, 'maxCookieBytes');
	const updateAge = options.updateAge ?? 24 * 60 * 60;
	if (!(updateAge >= 0)) throw new RangeError('defineSessionSync: updateAge must be a number of seconds, 0 or more');
	const allowedOrigins = new Set(
		(options.allowedOrigins ?? []).map((origin) => {
			try {
				return new URL(origin).origin;
			} catch {
				throw new TypeError(`defineSessionSync: allowedOrigins: "${origin}" is not an origin like https://example.com`);
			}
		})
	);
	const writable = Object.keys(fields);
	const readOnly = new Set(expose);
	const isSessionCookie = sessionCookieMatcher(options.cookieName);
	const stateOf = (event: Pick<RequestEvent, 'locals' | 'cookies' | 'url'>) => requestState(event, isSessionCookie);

	function isFlagged(event: Pick<RequestEvent, 'url' | 'request'>) {
		return (
			event.url.searchParams.get(flag.name) === flag.value || event.request.headers.get(flag.name) === flag.value
		);
	}

	function isSameOrigin(event: Pick<RequestEvent, 'url' | 'request'>) {
		const origin = event.request.headers.get('origin');
		return origin === null || origin === event.url.origin || allowedOrigins.has(origin);
	}

	async function validate(body: unknown) {
		if (!isPlainObject(body)) {
			return { ok: false as const, issues: [{ path: [], message: 'The patch must be a JSON object' }] };
		}
		return checkPatch(fields, body, readOnly);
	}

	/** Merge a validated patch into a token and raise its version; `null` if a merged value fails. */
	async function applyPatch(token: Token, patch: Record<string, unknown>, issues: SyncIssue[]): Promise<Token> {
		const next: Token = { ...token };
		for (const key of Object.keys(patch)) {
			const value = patch[key];
			if (value === null) {
				delete next[key];
				continue;
			}
			let merged = mergeValue(hasOwn(next, key) ? next[key] : undefined, value);
			if (isPlainObject(value)) {
				// Objects merge key by key (RFC 7396): check what the merge produced, not only the patch.
				const result = await validateValue(fields[key], merged);
				if (!result.ok) {
					issues.push({ path: [key], message: result.message });
					continue;
				}
				merged = result.value;
			}
			Object.defineProperty(next, key, { value: merged, enumerable: true, writable: true, configurable: true });
		}
		if (issues.length > 0) return token;
		next[SYNC_VERSION_CLAIM] = versionOf(next) + 1;
		return next;
	}

	function buildUser(token: Token): User {
		const user: Record<string, unknown> = {};
		for (const key of expose) {
			const value = key === 'image' ? (token.picture ?? token.image) : key === 'id' ? (token.sub ?? token.id) : token[key];
			if (value !== undefined) user[key] = value;
		}
		for (const key of writable) {
			if (hasOwn(token, key)) user[key] = token[key];
		}
		return user as User;
	}

	function callbacks(event: RequestEvent = getRequestEvent(), app: AppCallbacks = {}): Callbacks {
		const state = stateOf(event);
		/** Run one of the app's callbacks; if it throws, remember it and keep its cookie writes away. */
		async function guard<T>(run: () => T | PromiseLike<T>): Promise<T> {
			try {
				return await run();
			} catch (error) {
				state.callbackError = error;
				state.drop = 'all';
				throw error;
			}
		}
		return {
			...app,
			jwt: async (params) => {
				const token = params.token as Token;
				// Only a plain read may skip its cookie write; remember what it looked like before the
				// app's callback (which may change the token in place) to tell whether anything changed.
				const snapshot = !params.trigger && !state.pending ? JSON.stringify(token) : undefined;
				let nativePatch: Record<string, unknown> | null = null;
				let appParams = params;
				if (params.trigger === 'update') {
					// Auth.js's own update path (`POST /auth/session`): same allow-list and the same Origin
					// rule as the endpoint (Auth.js skips its CSRF check under SvelteKit, and SvelteKit only
					// checks form content types); what fails is ignored.
					const checked = isSameOrigin(event) ? await validate(params.session) : null;
					nativePatch = checked?.ok ? checked.patch : null;
					appParams = { ...params, session: nativePatch ?? undefined };
				}
				let result = (await guard(() => (app.jwt ? app.jwt(appParams) : token))) as Token | null;
				state.drop = null;
				if (!result) return null;
				result = withSyncClaims(result);

				if (nativePatch && Object.keys(nativePatch).length > 0) {
					return (await applyPatch(result, nativePatch, [])) as never;
				}
				const pending = state.pending;
				// Only a patch our own endpoint or form action validated for this very request, and only on a
				// same-origin POST, is ever merged.
				// (Not the path: under `paths.base` or another mount point the endpoint still works.)
				const route = pending?.source === 'action' || isFlagged(event);
				if (pending && !pending.applied && route && event.request.method === 'POST' && isSameOrigin(event)) {
					const issues: SyncIssue[] = [];
					const merged = await applyPatch(result, pending.patch, issues);
					pending.applied = true;
					if (issues.length > 0) pending.issues = issues;
					return merged as never;
				}
				if (snapshot !== undefined && isFresh(result, updateAge) && JSON.stringify(result) === snapshot) {
					state.drop = 'refresh';
				}
				return result as never;
			},
			session: async (params) => {
				const session = (await guard(() => (app.session ? app.session(params) : params.session))) as object;
				const token = (params as { token?: Token }).token;
				if (!token) return session as never;
				return {
					...session,
					user: buildUser(token),
					sync: { id: String(token[SYNC_ID_CLAIM] ?? ''), version: versionOf(token) }
				} as never;
			}
		};
	}

	/**
	 * Run one validated patch through `locals.auth()`: the wrapped `jwt` callback merges it, Auth.js
	 * encrypts the new token, and the cookie is written only if everything succeeded and it fits.
	 */
	async function commit(
		event: RequestEvent,
		patch: Record<string, unknown>,
		source: 'endpoint' | 'action'
	): Promise<{ ok: true; session: SyncSession<User> } | { ok: false; failure: SyncFailure }> {
		const state = stateOf(event);
		const empty = Object.keys(patch).length === 0;
		state.pending = empty ? null : { patch, applied: false, source };
		state.callbackError = undefined;
		holdWrites(state);
		let session: SyncSession<User> | null;
		try {
			if (typeof event.locals.auth !== 'function') {
				throw new Error('locals.auth() is missing: export the Auth.js `handle` from src/hooks.server.ts');
			}
			session = (await event.locals.auth()) as SyncSession<User> | null;
		} catch (error) {
			releaseWrites(state);
			state.pending = null;
			console.error('[sveltekit-session-sync]', error);
			return { ok: false, failure: new SyncFailure(500, 'server_error', 'The session could not be updated') };
		}
		const writes = releaseWrites(state);
		state.drop = null;
		const pending = state.pending;
		state.pending = null;
		if (state.callbackError !== undefined) {
			console.error('[sveltekit-session-sync] an Auth.js callback of the app threw:', state.callbackError);
			return { ok: false, failure: new SyncFailure(500, 'server_error', 'The session could not be updated') };
		}
		if (!session) {
			return { ok: false, failure: new SyncFailure(401, 'unauthenticated', 'Sign in to update your session') };
		}
		if (pending?.issues) {
			return { ok: false, failure: new SyncFailure(422, 'invalid_patch', INVALID_PATCH_MESSAGE, pending.issues) };
		}
		if (pending && !pending.applied) {
			console.error(
				'[sveltekit-session-sync] the patch was not merged: pass `sessionSync.callbacks(event, …)` as the Auth.js callbacks, ' +
					`and serve the endpoint at ${endpoint} (the \`endpoint\` option) with ${flag.name}=${flag.value}`
			);
			return { ok: false, failure: new SyncFailure(500, 'server_error', 'The session could not be updated') };
		}
		if (!empty) {
			const length = heldCookieLength(state, writes);
			if (length === 0) {
				// The merge happened but no session cookie went by: Auth.js writes it under a name the
				// kit does not know, so it could neither hold it back nor measure it.
				console.error(
					'[sveltekit-session-sync] no session cookie was written: if the Auth.js config sets ' +
						'`cookies.sessionToken.name`, pass the same name as `cookieName` to defineSessionSync'
				);
				return { ok: false, failure: new SyncFailure(500, 'server_error', 'The session could not be updated') };
			}
			if (length > maxCookieBytes) {
				return {
					ok: false,
					failure: new SyncFailure(
						413,
						'cookie_too_large',
						`The session would need ${length} characters of cookie; the limit is ${maxCookieBytes}`
					)
				};
			}
			commitWrites(state, writes);
		}
		return { ok: true, session };
	}

	async function POST(event: RequestEvent): Promise<Response> {
		try {
			const { request, url } = event;
			assertSameOrigin(request, url, allowedOrigins);
			if (!isFlagged(event)) {
				throw new SyncFailure(400, 'flag_required', `Update requests carry ${flag.name}=${flag.value}`);
			}
			assertJsonContentType(request);
			const text = await readLimitedText(request, maxBodyBytes);
			const body = parseJsonStrict(text);
			if (!isPlainObject(body)) {
				throw new SyncFailure(400, 'invalid_body', 'The patch must be a JSON object');
			}
			const checked = await checkPatch(fields, body, readOnly);
			if (!checked.ok) throw new SyncFailure(422, 'invalid_patch', INVALID_PATCH_MESSAGE, checked.issues);
			const result = await commit(event, checked.patch, 'endpoint');
			if (!result.ok) throw result.failure;
			const { user, sync, expires } = result.session;
			return jsonResponse({ data: user, sync, expires });
		} catch (error) {
			if (error instanceof SyncFailure) return errorResponse(error);
			console.error('[sveltekit-session-sync]', error);
			return errorResponse(new SyncFailure(500, 'server_error', 'The session could not be updated'));
		}
	}

	async function load(event: Pick<RequestEvent, 'locals' | 'cookies' | 'url'> & { depends(...deps: `${string}:${string}`[]): void }) {
		event.depends(SESSION_DEPENDENCY);
		const state = stateOf(event);
		state.callbackError = undefined;
		const session = (await event.locals.auth()) as SyncSession<User> | null;
		state.drop = null;
		if (state.callbackError !== undefined) {
			console.error('[sveltekit-session-sync] an Auth.js callback of the app threw:', state.callbackError);
			kitError(500, 'The session could not be read');
		}
		return { session };
	}

	const updateUserData = createFormAction<User>({
		fields,
		maxBodyBytes,
		allowedOrigins,
		readOnly,
		commit: (event, patch) => commit(event, patch, 'action')
	});

	return {
		callbacks,
		POST,
		load,
		actions: { updateUserData },
		validate,
		writable,
		expose
	};
}

function positive(value: number | undefined, fallback: number, name: string): number {
	if (value === undefined) return fallback;
	if (!Number.isFinite(value) || value <= 0) throw new RangeError(`defineSessionSync: ${name} must be a positive number`);
	return value;
}

function versionOf(token: Token): number {
	const version = token[SYNC_VERSION_CLAIM];
	return typeof version === 'number' && Number.isSafeInteger(version) && version >= 0 ? version : 0;
}

/** Give a token the kit's claims if it lacks them (sign-in, or a session from before the kit). */
function withSyncClaims(token: Token): Token {
	if (typeof token[SYNC_ID_CLAIM] === 'string' && typeof token[SYNC_VERSION_CLAIM] === 'number') return token;
	return {
		...token,
		[SYNC_ID_CLAIM]: typeof token[SYNC_ID_CLAIM] === 'string' ? token[SYNC_ID_CLAIM] : crypto.randomUUID(),
		[SYNC_VERSION_CLAIM]: versionOf(token)
	};
}

/**
 * Young enough that a read need not re-set the cookie: younger than `updateAge`, and than half the
 * token's lifetime, so that a session shorter than `updateAge` still slides forward while in use.
 */
function isFresh(token: Token, updateAge: number): boolean {
	const { iat, exp } = token;
	if (typeof iat !== 'number') return false;
	const lifetime = typeof exp === 'number' ? (exp - iat) / 2 : updateAge;
	return Date.now() / 1000 - iat < Math.min(updateAge, lifetime);
}

export type { RequestState };
