import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The secret every test server encrypts sessions with. */
export const TEST_SECRET = 'test-secret-for-sveltekit-session-sync-0123456789';

export interface RunningServer {
	url: string;
	process: ChildProcess;
	stop(): Promise<void>;
	/** Everything the server printed so far. */
	output(): string;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
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
 * Start the production build of the demo (`node build`) on a free 127.0.0.1 port and wait until it
 * answers. `npm test` builds it first; run `npm run build` before running vitest by hand.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
	const root = resolve(import.meta.dirname, '../..');
	if (!existsSync(resolve(root, 'build/index.js'))) {
		throw new Error('build/index.js is missing: run `npm run build` first (npm test does it for you)');
	}
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let log = '';
	const child = spawn(process.execPath, ['build/index.js'], {
		cwd: root,
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
	child.stdout!.on('data', (chunk) => (log += chunk));
	child.stderr!.on('data', (chunk) => (log += chunk));
	const deadline = Date.now() + 20_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${log}`);
		try {
			const response = await fetch(`${url}/auth/providers`);
			await response.arrayBuffer();
			break;
		} catch {
			if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	return {
		url,
		process: child,
		output: () => log,
		stop: () =>
			new Promise<void>((done) => {
				if (child.exitCode !== null) return done();
				child.once('exit', () => done());
				child.kill('SIGTERM');
				setTimeout(() => child.kill('SIGKILL'), 3000).unref();
			})
	};
}
