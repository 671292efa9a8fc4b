import { decode } from '@auth/core/jwt';
import { CookieJar, SESSION_COOKIE, signIn } from '../../scripts/demo.js';
import { TEST_SECRET } from './server.js';

export const FLAG = 'query=update-user-data';

export { CookieJar, SESSION_COOKIE, signIn };

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
