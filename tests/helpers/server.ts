import { startDemo, type RunningDemo } from '../../scripts/demo.js';

export { TEST_SECRET, freePort } from '../../scripts/demo.js';

export type RunningServer = RunningDemo;

/**
 * Start the production build of the demo (`node build`) on a free 127.0.0.1 port and wait until it
 * answers. `npm test` builds it first; run `npm run build` before running vitest by hand.
 */
export function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
	return startDemo({ env });
}
