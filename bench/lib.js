// Shared helpers of the benchmarks: plain Node ESM, no TypeScript, so `node bench/run.js` needs no loader.
// Servers start through scripts/demo.js, like the tests'.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CookieJar, SESSION_COOKIE, TEST_SECRET, signIn, startDemo } from '../scripts/demo.js';

export { CookieJar, SESSION_COOKIE, signIn };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TMP = resolve(ROOT, 'bench/.tmp');
/** Same secret as the tests; the bench server never serves real users. */
export const SECRET = TEST_SECRET;
export const UPDATE_PATH = '/api/update-user-data?query=update-user-data';

let snapshot = null;

/**
 * A private copy of build/ for this run (bench/.tmp/build): other work in the same tree may rebuild
 * build/ while the bench runs, and a server whose lazily loaded chunks vanish answers 500s. Inside the
 * repository, so the build still resolves its dependencies from node_modules.
 */
export function buildSnapshot() {
	if (snapshot) return snapshot;
	const source = resolve(ROOT, 'build');
	if (!existsSync(resolve(source, 'index.js'))) throw new Error('build/index.js is missing: run `npm run build`');
	const target = resolve(TMP, 'build');
	for (let attempt = 0; ; attempt++) {
		try {
			rmSync(target, { recursive: true, force: true });
			cpSync(source, target, { recursive: true });
			if (existsSync(resolve(target, 'index.js')) && existsSync(resolve(target, 'server'))) break;
			throw new Error('incomplete copy of build/');
		} catch (error) {
			if (attempt >= 5) throw error;
			spinWait(2000); // a rebuild is probably running: let it finish
		}
	}
	return (snapshot = target);
}

function spinWait(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** `node build` (a private copy of it) on a free 127.0.0.1 port with the bench-only routes switched on. */
export function startServer(env = {}, nodeArgs = []) {
	return startDemo({ env: { SESSION_SYNC_BENCH: '1', ...env }, nodeArgs, buildDir: buildSnapshot() });
}

/** Resident set size of a process in KiB (Linux). */
export function rssKiB(pid) {
	const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) : NaN;
}

/** CPU time (user + system) a process has used so far, in ms (Linux, 100 ticks a second). */
export function cpuMs(pid) {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15)
}

/**
 * A CSRF token for Auth.js's own POST /auth/session, or undefined: @auth/sveltekit turns Auth.js's
 * CSRF check off (SvelteKit checks the origin of form posts itself), so /auth/csrf answers empty.
 */
export async function csrf(url, jar) {
	const response = await fetch(`${url}/auth/csrf`, { headers: { cookie: jar.header() } });
	jar.take(response);
	const text = await response.text();
	try {
		return JSON.parse(text).csrfToken;
	} catch {
		return undefined;
	}
}

/** POST a patch to the kit's endpoint with the jar's cookies; the jar takes the new cookie. */
export async function postUpdate(url, jar, body, headers = {}) {
	const response = await fetch(`${url}${UPDATE_PATH}`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/json', origin: url, cookie: jar.header(), ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});
	const text = await response.text();
	jar.take(response);
	return { status: response.status, text };
}

/** Decrypt a session cookie with the bench secret (real Auth.js code). */
export async function decodeSession(value) {
	const { decode } = await import('@auth/core/jwt');
	return decode({ token: value, secret: SECRET, salt: SESSION_COOKIE });
}

export function median(values) {
	const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
	if (v.length === 0) return NaN;
	const m = v.length >> 1;
	return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function version(pkg) {
	try {
		return JSON.parse(readFileSync(resolve(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
	} catch {
		return '?';
	}
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
