import { error, json } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import type { RequestHandler } from './$types';

/**
 * Bench-only (`npm run bench` starts the server with SESSION_SYNC_BENCH=1; 404 otherwise): the
 * tutorial way to update a JWT session, which figure 1 of bench/ compares the kit against. The
 * endpoint only calls `locals.auth()`; the demo's `jwt` callback (src/auth.ts) merges the raw,
 * unvalidated body when it sees this path and flag. Not part of the package.
 */
export const POST: RequestHandler = async ({ locals, url }) => {
	if (env.SESSION_SYNC_BENCH !== '1' || url.searchParams.get('query') !== 'update-user-data') error(404, 'Not found');
	const session = await locals.auth();
	if (!session) return json({ error: { code: 'unauthenticated', message: 'Sign in' } }, { status: 401 });
	return json({ data: session.user });
};
