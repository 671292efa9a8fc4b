import type { Cookies, RequestEvent } from '@sveltejs/kit';
import type { SyncIssue } from '../types.js';

/** Auth.js's default session cookie, secure or not, whole or one chunk of it (`.0`, `.1`, …). */
const SESSION_COOKIE = /^(?:__Secure-)?authjs\.session-token(?:\.\d+)?$/;

/**
 * Tell whether a cookie name is the session cookie (or one of its chunks).
 * @param name - A custom `cookies.sessionToken.name` from the Auth.js config; Auth.js's default when absent.
 */
export function sessionCookieMatcher(name?: string): (cookie: string) => boolean {
	if (!name) return (cookie) => SESSION_COOKIE.test(cookie);
	return (cookie) => cookie === name || (cookie.startsWith(`${name}.`) && /^\d+$/.test(cookie.slice(name.length + 1)));
}

const defaultMatcher = sessionCookieMatcher();

type CookieWrite = [name: string, value: string, options: Parameters<Cookies['set']>[2]];

/**
 * What the kit knows about one request. Auth.js calls our callbacks deep inside `locals.auth()`;
 * this is how the endpoint and the callbacks talk to each other, without any state shared between
 * requests.
 */
export interface RequestState {
	/** A validated patch that the next `jwt` callback of this request merges. */
	pending: {
		patch: Record<string, unknown>;
		applied: boolean;
		source: 'endpoint' | 'action';
		issues?: SyncIssue[];
	} | null;
	/** While set, session-cookie writes are held back until the endpoint decides. */
	buffer: CookieWrite[] | null;
	/**
	 * What to drop of the session-cookie writes of the `locals.auth()` call under way: `'refresh'` for a
	 * read whose token is fresh and unchanged (its write would only undo newer ones; deletions still
	 * pass), `'all'` when the app's callback threw (Auth.js would delete the cookie: a server fault must
	 * not sign the user out). Auth.js sets the cookies of one call in one synchronous loop, so it ends
	 * with the microtask after the first dropped write.
	 */
	drop: 'refresh' | 'all' | null;
	/** The app's own `jwt` or `session` callback threw during the last `locals.auth()` call. */
	callbackError: unknown;
	/** The request came over https: session cookies that do not say otherwise get `Secure` only then. */
	secure: boolean;
	/** SvelteKit's own `cookies.set`, past the interception. */
	write: Cookies['set'];
	/** Whether a cookie name is the session cookie or one of its chunks. */
	isSessionCookie: (name: string) => boolean;
}

const states = new WeakMap<object, RequestState>();

/**
 * The state of the request behind `event`, created on first use. Keyed by `event.locals`, which
 * the handle, the endpoint and every load of one request share.
 */
export function requestState(
	event: Pick<RequestEvent, 'locals' | 'cookies' | 'url'>,
	isSessionCookie: (name: string) => boolean = defaultMatcher
): RequestState {
	let state = states.get(event.locals);
	if (!state) {
		const cookies = event.cookies;
		state = {
			pending: null,
			buffer: null,
			drop: null,
			callbackError: undefined,
			secure: event.url.protocol === 'https:',
			write: cookies.set.bind(cookies),
			isSessionCookie
		};
		states.set(event.locals, state);
		interceptSessionCookie(cookies, state, isSessionCookie);
	}
	return state;
}

/**
 * Route this request's session-cookie writes through the kit. `@auth/sveltekit` re-encrypts and
 * re-sets the cookie on every `locals.auth()`, so a slow read that started before an update would put
 * the old session back (nextauthjs/next-auth#8897). Reads that change nothing are dropped here; the
 * endpoint holds its own writes back until it knows the new cookie fits.
 */
function interceptSessionCookie(cookies: Cookies, state: RequestState, isSessionCookie: (name: string) => boolean) {
	cookies.set = (name, value, options) => {
		// While held, every write waits: Auth.js writes nothing but the session cookie there, and a
		// cookie under a name the kit does not recognise must not slip past a refusal either.
		if (state.buffer) {
			state.buffer.push([name, value, options]);
			return;
		}
		if (!isSessionCookie(name)) return state.write(name, value, options);
		const deletion = value === '' || options?.maxAge === 0;
		if (state.drop === 'all' || (state.drop === 'refresh' && !deletion)) {
			queueMicrotask(() => (state.drop = null));
			return;
		}
		writeSessionCookie(state, [name, value, options]);
	};
}

/** Start holding session-cookie writes back. */
export function holdWrites(state: RequestState): void {
	state.buffer = [];
}

/** Stop holding writes; returns what was held, in order. */
export function releaseWrites(state: RequestState): CookieWrite[] {
	const held = state.buffer ?? [];
	state.buffer = null;
	return held;
}

/** Send held writes on to SvelteKit, as Auth.js meant them. */
export function commitWrites(state: RequestState, writes: CookieWrite[]): void {
	for (const write of writes) {
		if (state.isSessionCookie(write[0])) writeSessionCookie(state, write);
		else state.write(...write);
	}
}

/**
 * Auth.js says `Secure` only when it means it; SvelteKit's default would add it on plain http too
 * (except on localhost), and a browser then drops the updated cookie. Follow the request's protocol.
 */
function writeSessionCookie(state: RequestState, [name, value, options]: CookieWrite) {
	state.write(name, value, { secure: state.secure, ...options });
}

/** Length of the session cookie that the held writes would leave (all chunks together). */
export function heldCookieLength(state: RequestState, writes: CookieWrite[]): number {
	let length = 0;
	for (const [name, value] of writes) if (state.isSessionCookie(name)) length += value.length;
	return length;
}
