import { isPlainObject, isString } from '../patch.js';
import type { SyncError, SyncInfo, SyncIssue } from '../types.js';

/** What one request to the update endpoint came back with. */
export type SendResult =
	| { ok: true; data: Record<string, unknown>; sync?: SyncInfo; expires?: string }
	| { ok: false; error: SyncError };

type Json = Record<string, unknown>;

/** A failed result: `{ ok: false, error: { status, code, message } }`. */
export const failure = (code: string, message: string, status = 0): { ok: false; error: SyncError } => ({
	ok: false,
	error: { status, code, message }
});

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
	return endpoint + (endpoint.includes('?') ? '&' : '?') + [flag.name, flag.value].map(encodeURIComponent).join('=');
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
export async function sendPatch(fetcher: typeof fetch, url: string, patch: Json, timeout?: number): Promise<SendResult> {
	let response: Response;
	let body: unknown;
	try {
		response = await fetcher(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			// The default credentials mode, same-origin, sends the session cookie.
			body: JSON.stringify(patch),
			// A request that never settles would hold the update lock of every tab: give up on it.
			signal: timeout ? AbortSignal.timeout?.(timeout) : undefined
		});
		// A body that is not JSON is no body; an abort while reading it is an abort.
		body = await response.json().catch((error: unknown) => {
			if ((error as Error | null)?.name === 'AbortError') throw error;
		});
	} catch (error) {
		// No response: status 0.
		const { name, message } = (error ?? {}) as Partial<Error>;
		return failure(
			name === 'AbortError' ? 'aborted' : name === 'TimeoutError' ? 'timeout' : 'network_error',
			message || 'Request failed'
		);
	}
	const { status } = response;
	// Any JSON value reads safely this way (`null` aside); every field is checked before use.
	const { data, sync, expires, error } = (body ?? {}) as Partial<Record<string, Json | undefined>>;
	if (response.ok && isPlainObject(data)) {
		return {
			ok: true,
			data,
			sync: isString(sync?.id) && Number.isFinite(sync.version) ? (sync as unknown as SyncInfo) : undefined,
			expires: isString(expires) ? expires : undefined
		};
	}
	const { code, message, issues } = error ?? {};
	// A 2xx without a `data` object is as unusable as a 500 page.
	if (!isString(code) || !isString(message)) return failure('server_error', `HTTP ${status}: no usable answer`, status);
	return {
		ok: false,
		error: {
			status,
			code,
			message,
			issues: Array.isArray(issues)
				? issues.filter(
						(issue: SyncIssue | null): issue is SyncIssue =>
							isString(issue?.message) && Array.isArray(issue.path) && issue.path.every(isString)
					)
				: undefined
		}
	};
}
