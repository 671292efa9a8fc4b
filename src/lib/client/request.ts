import { isPlainObject } from '../patch.js';
import type { SyncError, SyncInfo, SyncIssue } from '../types.js';

/** What one request to the update endpoint came back with. */
export type SendResult =
	| { ok: true; data: Record<string, unknown>; sync?: SyncInfo; expires?: string }
	| { ok: false; error: SyncError };

type Json = Record<string, unknown>;

/** An object to read fields from: the value itself when it is a plain object, else `{}`. */
const obj = (value: unknown): Json => (isPlainObject(value) ? value : {});

const isAbort = (error: unknown) => (error as { name?: unknown } | null)?.name === 'AbortError';

/**
 * Build the endpoint URL with its flag: `/api/update-user-data?query=update-user-data` by default.
 *
 * @param endpoint - Path (or URL) of the update endpoint; may already carry a query string.
 * @param flag - Name and value of the flag query parameter.
 * @returns The URL to POST to.
 * @example
 * ```ts
 * updateUrl('/api/update-user-data', { name: 'query', value: 'update-user-data' });
 * // '/api/update-user-data?query=update-user-data'
 * ```
 */
export function updateUrl(endpoint: string, flag: { name: string; value: string }): string {
	return `${endpoint}${endpoint.includes('?') ? '&' : '?'}${encodeURIComponent(flag.name)}=${encodeURIComponent(flag.value)}`;
}

/**
 * POST one merge patch to the update endpoint and read the answer. Never rejects: network errors,
 * aborts and unreadable bodies become a `SyncError`; nothing of the body is trusted before it is checked.
 *
 * @param fetcher - The `fetch` to use.
 * @param url - From `updateUrl`.
 * @param patch - The JSON Merge Patch to send.
 * @returns `{ ok: true, data, sync?, expires? }` on a 2xx with a `data` object, else `{ ok: false, error }`.
 * @example
 * ```ts
 * const result = await sendPatch(fetch, '/api/update-user-data?query=update-user-data', { theme: 'dark' });
 * if (result.ok) console.log(result.data.theme);
 * ```
 */
export async function sendPatch(fetcher: typeof fetch, url: string, patch: Json): Promise<SendResult> {
	let response: Response;
	let body: Json;
	try {
		response = await fetcher(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(patch),
			credentials: 'same-origin'
		});
		// A body that is not JSON is no body; an abort while reading it is an abort.
		body = obj(
			await response.json().catch((error: unknown) => {
				if (isAbort(error)) throw error;
			})
		);
	} catch (error) {
		// No response: status 0.
		const message = error instanceof Error && error.message;
		return {
			ok: false,
			error: { status: 0, code: isAbort(error) ? 'aborted' : 'network_error', message: message || 'Request failed' }
		};
	}
	const status = response.status;
	if (response.ok && isPlainObject(body.data)) {
		const result: SendResult = { ok: true, data: body.data };
		const sync = obj(body.sync);
		if (typeof sync.id === 'string' && Number.isFinite(sync.version)) {
			result.sync = { id: sync.id, version: sync.version as number };
		}
		if (typeof body.expires === 'string') result.expires = body.expires;
		return result;
	}
	const { code, message, issues } = obj(body.error);
	if (typeof code !== 'string' || typeof message !== 'string') {
		// A 2xx without a `data` object is as unusable as a 500 page.
		return { ok: false, error: { status, code: 'server_error', message: `HTTP ${status}: no usable answer` } };
	}
	const error: SyncError = { status, code, message };
	const valid = (Array.isArray(issues) ? issues : []).map(obj).filter(
		(issue): issue is Json & SyncIssue =>
			typeof issue.message === 'string' &&
			Array.isArray(issue.path) &&
			issue.path.every((segment) => typeof segment === 'string')
	);
	if (valid.length) error.issues = valid.map(({ path, message }) => ({ path: [...path], message }));
	return { ok: false, error };
}
