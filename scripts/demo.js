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
