/**
 * Helpers shared by the security tests: a signed-in session with data in it, the "session intact"
 * check, raw HTTP over node:net for requests fetch refuses to send, and sessions forged with
 * Auth.js's own `encode`.
 */
import { encode } from '@auth/core/jwt';
import { connect } from 'node:net';
import { expect } from 'vitest';
import { TEST_SECRET } from '../helpers/server.js';
import { CookieJar, SESSION_COOKIE, decodeSession, postUpdate, signIn } from '../helpers/session.js';

export type Token = Record<string, unknown>;

/** What `postUpdate` returns, the minimum the checks below need. */
export interface Answer {
	status: number;
	json: any;
	text: string;
	setCookies: string[];
}

/**
 * Sign in and give the session a value in every writable field, so a failure that drops or changes a
 * field shows up. Returns the jar and the exact token it decrypts to.
 */
export async function signedIn(url: string, username = 'ada'): Promise<{ jar: CookieJar; before: Token }> {
	const jar = await signIn(url, username);
	const seeded = await postUpdate(url, jar, JSON.stringify({ fav_num: '7', bio: `${username} was here`, theme: 'dark' }));
	expect(seeded.status, 'seeding the session').toBe(200);
	const before = (await decodeSession(jar)) as Token;
	expect(before).toMatchObject({ fav_num: '7', role: 'member', syncVersion: 1 });
	return { jar, before };
}

/** Session-cookie lines (whole or chunked) among a response's Set-Cookie headers. */
export function sessionCookies(setCookies: string[]): string[] {
	return setCookies.filter((line) => line.trimStart().startsWith(SESSION_COOKIE));
}

/** A protocol error: the status, `{"error": {"code", "message"}}`, and never a 5xx. */
export function expectProtocolError(answer: Answer, status: number, code: string): void {
	expect(answer.status, answer.text.slice(0, 300)).toBe(status);
	expect(answer.json?.error?.code, answer.text.slice(0, 300)).toBe(code);
	expect(typeof answer.json.error.message).toBe('string');
}

/**
 * The response wrote no session cookie, and the jar, after taking every Set-Cookie it sent, still
 * decrypts to exactly `before` — every claim, including iat, exp and jti.
 */
export async function expectIntact(jar: CookieJar, before: Token, answer: Pick<Answer, 'setCookies'>): Promise<void> {
	expect(sessionCookies(answer.setCookies)).toEqual([]);
	jar.take(responseWith(answer.setCookies));
	expect(await decodeSession(jar)).toStrictEqual(before);
}

/**
 * Like `expectIntact` for paths where Auth.js itself re-issues the cookie (`/auth/session`): every
 * claim but iat, exp and jti (which Auth.js refreshes on every write there) is exactly as before.
 */
export async function expectSameClaims(jar: CookieJar, before: Token, answer: Pick<Answer, 'setCookies'>): Promise<void> {
	jar.take(responseWith(answer.setCookies));
	const after = (await decodeSession(jar)) as Token;
	expect(after).not.toBeNull();
	const { iat: _a, exp: _b, jti: _c, ...rest } = after;
	const { iat: _d, exp: _e, jti: _f, ...restBefore } = before;
	expect(rest).toStrictEqual(restBefore);
}

/** A Response that carries only the given Set-Cookie lines, for `CookieJar.take`. */
export function responseWith(setCookies: string[]): Response {
	return new Response(null, { headers: setCookies.map((line) => ['set-cookie', line] as [string, string]) });
}

/** A session cookie encrypted the way Auth.js does it, with any secret and lifetime. */
export function forgeSession(token: Token, { secret = TEST_SECRET, maxAge = 3600 }: { secret?: string | string[]; maxAge?: number } = {}) {
	return encode({ token, secret, maxAge, salt: SESSION_COOKIE });
}

/** A parsed raw HTTP/1.1 response (chunked bodies are joined). */
export interface RawAnswer {
	status: number | null;
	headers: Record<string, string>;
	setCookies: string[];
	body: string;
	/** Everything the server sent, unparsed. */
	raw: string;
}

/**
 * Talk HTTP/1.1 over a plain TCP socket, for requests fetch will not send (a Content-Length that
 * lies, a body cut off midway). `parts` are written in order, `pause` ms apart; then the socket is
 * left open (`'wait'`), destroyed (`'destroy'`) or half-closed (`'end'`). Resolves when the server
 * closes the connection or after `timeout` ms, with whatever it answered.
 */
export function rawRequest(
	url: string,
	parts: Array<string | Buffer>,
	{ after = 'wait', pause = 30, timeout = 3000 }: { after?: 'wait' | 'destroy' | 'end'; pause?: number; timeout?: number } = {}
): Promise<RawAnswer> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve) => {
		const socket = connect(Number(port), hostname);
		const received: Buffer[] = [];
		let finished = false;
		const finish = () => {
			if (finished) return;
			finished = true;
			clearTimeout(timer);
			socket.destroy();
			resolve(parseRaw(Buffer.concat(received).toString('utf8')));
		};
		const timer = setTimeout(finish, timeout);
		socket.on('data', (chunk) => received.push(chunk));
		socket.on('error', () => {});
		socket.on('close', finish);
		socket.once('connect', async () => {
			for (const part of parts) {
				if (socket.destroyed) break;
				socket.write(part);
				await new Promise((r) => setTimeout(r, pause));
			}
			if (after === 'destroy') socket.destroy();
			else if (after === 'end') socket.end();
		});
	});
}

/** The start of a raw request: request line and headers, ending with the blank line. */
export function rawHead(method: string, url: string, path: string, headers: Record<string, string>): string {
	const host = new URL(url).host;
	const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
	for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
	return `${lines.join('\r\n')}\r\n\r\n`;
}

function parseRaw(raw: string): RawAnswer {
	const end = raw.indexOf('\r\n\r\n');
	if (end < 0) return { status: null, headers: {}, setCookies: [], body: '', raw };
	const [statusLine, ...headerLines] = raw.slice(0, end).split('\r\n');
	const status = Number(statusLine.split(' ')[1]) || null;
	const headers: Record<string, string> = {};
	const setCookies: string[] = [];
	for (const line of headerLines) {
		const colon = line.indexOf(':');
		const name = line.slice(0, colon).trim().toLowerCase();
		const value = line.slice(colon + 1).trim();
		if (name === 'set-cookie') setCookies.push(value);
		headers[name] = value;
	}
	let body = raw.slice(end + 4);
	if (headers['transfer-encoding'] === 'chunked') {
		let joined = '';
		let rest = body;
		for (;;) {
			const lineEnd = rest.indexOf('\r\n');
			const size = parseInt(rest.slice(0, lineEnd), 16);
			if (!size) break;
			joined += rest.slice(lineEnd + 2, lineEnd + 2 + size);
			rest = rest.slice(lineEnd + 2 + size + 2);
		}
		body = joined;
	}
	return { status, headers, setCookies, body, raw };
}

/** Parse JSON or return null. */
export function jsonOrNull(text: string): any {
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}
