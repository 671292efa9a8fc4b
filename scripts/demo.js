// Start the demo's production build and find the browser: shared by the tests, the benchmarks and the
// screenshot script. Plain ESM with JSDoc types, so `node` runs it without a loader.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The secret the tests and benchmarks encrypt sessions with (their servers never serve real users). */
export const TEST_SECRET = 'test-secret-for-sveltekit-session-sync-0123456789';

/** Where the browser is: `CHROMIUM_PATH`, else Debian's package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium flags that work on a machine without network or GPU. */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

/**
 * A free TCP port on 127.0.0.1.
 * @returns {Promise<number>}
 */
export function freePort() {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => done(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/**
 * @typedef {object} RunningDemo
 * @property {string} url
 * @property {number | undefined} pid
 * @property {import('node:child_process').ChildProcess} process
 * @property {() => string} output everything the server printed so far
 * @property {() => Promise<void>} stop
 */

/**
 * Start the production build (`node build`) on a free 127.0.0.1 port and wait until it answers.
 * @param {{ env?: Record<string, string>, nodeArgs?: string[], buildDir?: string }} [options]
 *   extra environment (`AUTH_SECRET` defaults to `TEST_SECRET`), node flags, and another copy of build/
 * @returns {Promise<RunningDemo>}
 */
export async function startDemo({ env = {}, nodeArgs = [], buildDir = resolve(ROOT, 'build') } = {}) {
	const entry = resolve(buildDir, 'index.js');
	if (!existsSync(entry)) {
		throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does it for you)`);
	}
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let log = '';
	const child = spawn(process.execPath, [...nodeArgs, entry], {
		cwd: ROOT,
		env: {
			...process.env,
			NODE_ENV: 'production',
			HOST: '127.0.0.1',
			PORT: String(port),
			ORIGIN: url,
			AUTH_SECRET: TEST_SECRET,
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.on('data', (chunk) => (log += chunk));
	child.stderr?.on('data', (chunk) => (log += chunk));
	const deadline = Date.now() + 20_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${log}`);
		try {
			await (await fetch(`${url}/auth/providers`)).arrayBuffer();
			break;
		} catch {
			if (Date.now() > deadline) {
				child.kill('SIGKILL');
				throw new Error(`server did not start:\n${log}`);
			}
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	return {
		url,
		pid: child.pid,
		process: child,
		output: () => log,
		stop: () =>
			new Promise((done) => {
				if (child.exitCode !== null) return done();
				child.once('exit', () => done());
				child.kill('SIGTERM');
				setTimeout(() => child.kill('SIGKILL'), 3000).unref();
			})
	};
}

/** Auth.js's session cookie over plain http. */
export const SESSION_COOKIE = 'authjs.session-token';

/** A tiny cookie jar: name → value, updated from Set-Cookie headers like a browser would. */
export class CookieJar {
	/** @type {Map<string, string>} */
	cookies = new Map();

	/** The `Cookie` request header. */
	header() {
		return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	/**
	 * Apply every Set-Cookie of a response (empty value or Max-Age=0 removes).
	 * @param {Response} response
	 */
	take(response) {
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

	/** The session cookie's parts in order: one, or the chunks Auth.js split it into. */
	chunks() {
		if (this.cookies.has(SESSION_COOKIE)) return [/** @type {string} */ (this.cookies.get(SESSION_COOKIE))];
		const parts = [...this.cookies].filter(([name]) => name.startsWith(`${SESSION_COOKIE}.`));
		parts.sort(([a], [b]) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
		return parts.map(([, value]) => value);
	}

	/**
	 * The session cookie value, joined from chunks if Auth.js split it.
	 * @returns {string | undefined}
	 */
	session() {
		const parts = this.chunks();
		return parts.length ? parts.join('') : undefined;
	}

	clone() {
		const jar = new CookieJar();
		for (const [name, value] of this.cookies) jar.cookies.set(name, value);
		return jar;
	}
}

/**
 * Sign in through the Credentials provider as a browser form would.
 * @param {string} baseURL
 * @returns {Promise<CookieJar>}
 */
export async function signIn(baseURL, username = 'ada', password = 'demo') {
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
