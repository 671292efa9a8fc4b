import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import type { PageServerLoad } from './$types';

/**
 * Bench-only (404 unless SESSION_SYNC_BENCH=1): the SSR baseline for figure 6 of bench/. The root
 * layout's load already calls `locals.auth()` once; this page adds nothing but one line of markup.
 */
export const load: PageServerLoad = async ({ parent }) => {
	if (env.SESSION_SYNC_BENCH !== '1') error(404, 'Not found');
	const { session } = await parent();
	return { name: session?.user?.name ?? null };
};
