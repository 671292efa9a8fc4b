import type { TestProject } from 'vitest/node';
import { startServer } from './server.js';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The demo's production build, default options. */
		baseURL: string;
		/** The same build with a strict cookie budget (`maxCookieBytes` = 1000). */
		strictURL: string;
	}
}

/** Start the production demo once for a test project, and stop it afterwards. */
export default async function setup(project: TestProject) {
	const main = await startServer();
	const strict = await startServer({ SESSION_SYNC_MAX_COOKIE_BYTES: '1000' });
	project.provide('baseURL', main.url);
	project.provide('strictURL', strict.url);
	return async () => {
		await Promise.all([main.stop(), strict.stop()]);
	};
}
