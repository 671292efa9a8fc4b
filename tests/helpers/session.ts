import { decode } from '@auth/core/jwt';
import { TEST_SECRET } from './server.js';

export const SESSION_COOKIE = 'authjs.session-token';
export const FLAG = 'query=update-user-data';

/** A tiny cookie jar: name → value, updated from Set-Cookie headers like a browser would. */
export class CookieJar {
	readonly cookies = new Map<string, string>();

	/** The `Cookie` request header. */
	header(): string {
		return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	/** Apply every Set-Cookie of a response (empty value or Max-Age=0 removes). */
	take(response: Response): void {
		for (const line of response.headers.getSetCookie()) {
			const [pair, ...attributes] = line.split(';');
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
			if (expired) this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
	}

	/** The session cookie value, joined from chunks if Auth.js split it. */
	session(): string | undefined {
		if (this.cookies.has(SESSION_COOKIE)) return this.cookies.get(SESSION_COOKIE);
		const chunks = [...this.cookies].filter(([name]) => name.startsWith(`${SESSION_COOKIE}.`));
		if (chunks.length === 0) return undefined;
		chunks.sort(([a], [b]) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
		return chunks.map(([, value]) => value).join('');
	}

	clone(): CookieJar {
		const jar = new CookieJar();
		for (const [name, value] of this.cookies) jar.cookies.set(name, value);
		return jar;
	}
}

/** Sign in through the Credentials provider as a browser form would; returns the cookie jar. */
export async function signIn(baseURL: string, username = 'ada', password = 'demo'): Promise<CookieJar> {
	const jar = new CookieJar();
	const response = await fetch(`${baseURL}/auth/callback/credentials`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseURL },
		body: new URLSearchParams({ username, password, callbackUrl: '/' })
	});
	await response.arrayBuffer();
	jar.take(response);
	if (!jar.session()) throw new Error(`sign-in as ${username} failed (${response.status})`);
	return jar;
}

/** Decrypt the session cookie with the test secret (real Auth.js code). */
export async function decodeSession(jar: CookieJar, secret: string | string[] = TEST_SECRET) {
	const token = jar.session();
	if (!token) return null;
	return decode({ token, secret, salt: SESSION_COOKIE });
}

export interface UpdateOptions {
	headers?: Record<string, string>;
	method?: string;
	path?: string;
	/** Keep the cookie jar as it was, even if the server sets cookies. */
	readOnly?: boolean;
}

/** POST a raw body to the update endpoint with the jar's cookies. */
export async function postUpdate(
	baseURL: string,
	jar: CookieJar | null,
	body: BodyInit | null,
	options: UpdateOptions = {}
) {
	const response = await fetch(`${baseURL}${options.path ?? `/api/update-user-data?${FLAG}`}`, {
		method: options.method ?? 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/json',
			origin: baseURL,
			...(jar ? { cookie: jar.header() } : {}),
			...options.headers
		},
		body
	});
	const text = await response.text();
	let json: any = null;
	try {
		json = JSON.parse(text);
	} catch {
		// not JSON: leave null
	}
	if (jar && !options.readOnly) jar.take(response);
	return { status: response.status, json, text, headers: response.headers, setCookies: response.headers.getSetCookie() };
}

/** Token claims that describe the session's data (Auth.js refreshes iat/exp/jti on every write). */
export function claims(token: Record<string, unknown> | null) {
	if (!token) return null;
	const { iat: _iat, exp: _exp, jti: _jti, ...rest } = token;
	return rest;
}
