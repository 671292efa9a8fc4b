import { SvelteKitAuth } from '@auth/sveltekit';
import type { RequestEvent } from '@sveltejs/kit';
import Credentials from '@auth/sveltekit/providers/credentials';
import { dev } from '$app/environment';
import { env } from '$env/dynamic/private';
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { defineSessionSync } from '$lib/server/index.js';

/**
 * Control characters other than tab and line breaks: JSON writes each as six bytes (`\u0000`), so
 * allowing them would let a 280-character bio take most of a cookie.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const noControl = v.check((text: string) => !CONTROL.test(text), 'No control characters');

/** The demo's writable fields: everything else in the token is read-only or server-only. */
export const sessionSync = defineSessionSync({
	fields: {
		fav_num: v.pipe(v.string(), v.maxLength(100, 'At most 100 characters'), noControl),
		bio: v.pipe(v.string(), v.maxLength(280, 'At most 280 characters'), noControl),
		theme: v.picklist(['light', 'dark', 'system'], 'Choose light, dark or system')
	},
	expose: ['name', 'email', 'image'],
	// Demo-only knob so tests can try a stricter cookie budget on a second server.
	maxCookieBytes: env.SESSION_SYNC_MAX_COOKIE_BYTES ? Number(env.SESSION_SYNC_MAX_COOKIE_BYTES) : undefined,
	// Test-only knob: a custom session cookie name, told to the kit only when DEMO_COOKIE_NAME_KNOWN=1.
	cookieName: env.DEMO_COOKIE_NAME_KNOWN === '1' ? env.DEMO_COOKIE_NAME : undefined
});

/** Demo accounts; both use the password "demo". */
const ACCOUNTS: Record<string, { id: string; name: string; email: string; image: string }> = {
	ada: { id: 'u-ada', name: 'Ada Lovelace', email: 'ada@example.com', image: '/avatars/ada.svg' },
	grace: { id: 'u-grace', name: 'Grace Hopper', email: 'grace@example.com', image: '/avatars/grace.svg' }
};

let devSecret: string | undefined;

/**
 * The secrets from the environment; in development a generated one (with a warning) if none is set.
 * AUTH_SECRET_1..3 rotate secrets as in Auth.js's own env handling, which passing `secret` would
 * otherwise bypass: the highest-numbered secret encrypts, every one of them decrypts, so sessions made
 * with the old AUTH_SECRET stay valid while AUTH_SECRET_1 takes over.
 */
function secret(): string | string[] | undefined {
	if (env.AUTH_SECRET) {
		return [env.AUTH_SECRET_3, env.AUTH_SECRET_2, env.AUTH_SECRET_1, env.AUTH_SECRET].filter((s): s is string => !!s);
	}
	if (!dev) return undefined;
	if (!devSecret) {
		devSecret = randomBytes(32).toString('base64url');
		console.warn('[demo] AUTH_SECRET is not set: using a random secret for this dev server (sessions end on restart).');
	}
	return devSecret;
}

/**
 * Demo-only fault injection for tests/security/faults.test.ts: off unless the server runs with
 * DEMO_FAULTS=1, and then only a request carrying `x-demo-fault: jwt` (or `session`) makes that
 * callback throw, as a real app's callback might when its database is down.
 */
function injectFault(event: RequestEvent, callback: 'jwt' | 'session') {
	if (env.DEMO_FAULTS === '1' && event.request.headers.get('x-demo-fault') === callback) {
		throw new Error(`demo fault: the ${callback} callback failed`);
	}
}

export const { handle, signIn, signOut } = SvelteKitAuth(async (event) => ({
	secret: secret(),
	trustHost: true,
	session: { strategy: 'jwt' },
	...(env.DEMO_COOKIE_NAME && {
		cookies: {
			sessionToken: { name: env.DEMO_COOKIE_NAME, options: { httpOnly: true, sameSite: 'lax', path: '/', secure: false } }
		}
	}),
	// A failed sign-in comes back to the demo's own form (`/?error=CredentialsSignin`), not Auth.js's page.
	pages: { signIn: '/' },
	providers: [
		Credentials({
			credentials: { username: { label: 'Username' }, password: { label: 'Password', type: 'password' } },
			authorize(credentials) {
				const username = String(credentials?.username ?? '');
				// Own accounts only: `__proto__` or `constructor` must not find Object.prototype.
				const account = Object.hasOwn(ACCOUNTS, username) ? ACCOUNTS[username] : undefined;
				if (!account || credentials?.password !== 'demo') return null;
				return account;
			}
		})
	],
	callbacks: sessionSync.callbacks(event, {
		async jwt({ token, user, trigger }) {
			injectFault(event, 'jwt');
			// Bench-only, off unless the server runs with SESSION_SYNC_BENCH=1 (`npm run bench`): the tutorial
			// approach that bench/ compares against, merging the raw request body of the flagged
			// src/routes/bench/tutorial-update endpoint without any validation. Never part of the package.
			if (
				env.SESSION_SYNC_BENCH === '1' &&
				event.request.method === 'POST' &&
				event.url.pathname === '/bench/tutorial-update' &&
				event.url.searchParams.get('query') === 'update-user-data'
			) {
				Object.assign(token, await event.request.json());
			}
			if (trigger === 'signIn' && user) {
				// Stand-ins for what an OAuth provider hands over: server-only, never writable.
				token.role = 'member';
				token.access_token = randomBytes(24).toString('base64url');
			}
			return token;
		},
		session({ session }) {
			injectFault(event, 'session');
			return session;
		}
	})
}));
