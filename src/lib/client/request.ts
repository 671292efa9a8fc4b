import { isPlainObject } from '../patch.js';
import type { SyncError, SyncInfo, SyncIssue } from '../types.js';

/** What one request to the update endpoint came back with. */
export type SendResult =
	| { ok: true; data: Record<string, unknown>; sync?: SyncInfo; expires?: string }
	| { ok: false; error: SyncError };

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
	const separator = endpoint.includes('?') ? '&' : '?';
	return `${endpoint}${separator}${encodeURIComponent(flag.name)}=${encodeURIComponent(flag.value)}`;
}

/**
 * POST one merge patch to the update endpoint and read the answer. Never rejects: network errors,
 * aborts and unreadable bodies become a `SyncError`.
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
export async function sendPatch(
	fetcher: typeof fetch,
	url: string,
	patch: Record<string, unknown>
): Promise<SendResult> {
	let response: Response;
	let body: unknown;
	try {
		response = await fetcher(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(patch),
			credentials: 'same-origin'
		});
	} catch (error) {
		return { ok: false, error: transportError(error) };
	}
	try {
		body = await response.json();
	} catch (error) {
		if (isAbort(error)) return { ok: false, error: transportError(error) };
		body = undefined;
	}
	if (response.ok && isPlainObject(body) && isPlainObject(body.data)) {
		const result: SendResult = { ok: true, data: body.data };
		if (isSyncInfo(body.sync)) result.sync = { id: body.sync.id, version: body.sync.version };
		if (typeof body.expires === 'string') result.expires = body.expires;
		return result;
	}
	return { ok: false, error: responseError(response.status, body) };
}

/** A fetch that threw: an abort, or a network failure. Both have status 0 (no response). */
function transportError(error: unknown): SyncError {
	if (isAbort(error)) return { status: 0, code: 'aborted', message: 'The update request was aborted' };
	const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
	return { status: 0, code: 'network_error', message: `The update request failed${detail}` };
}

function isAbort(error: unknown): boolean {
	return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** The endpoint's `{ error: { code, message, issues? } }`, or a generic error when the body is not that. */
function responseError(status: number, body: unknown): SyncError {
	const detail = isPlainObject(body) ? body.error : undefined;
	if (isPlainObject(detail) && typeof detail.code === 'string' && typeof detail.message === 'string') {
		const error: SyncError = { status, code: detail.code, message: detail.message };
		const issues = Array.isArray(detail.issues) ? detail.issues.filter(isIssue) : [];
		if (issues.length > 0) error.issues = issues.map((issue) => ({ path: [...issue.path], message: issue.message }));
		return error;
	}
	// A 2xx without a `data` object is as unusable as a 500 page.
	return {
		status,
		code: 'server_error',
		message: `The update endpoint answered with HTTP ${status} and no usable body`
	};
}

function isIssue(value: unknown): value is SyncIssue {
	return (
		isPlainObject(value) &&
		typeof value.message === 'string' &&
		Array.isArray(value.path) &&
		value.path.every((segment) => typeof segment === 'string')
	);
}

function isSyncInfo(value: unknown): value is SyncInfo {
	return (
		isPlainObject(value) &&
		typeof value.id === 'string' &&
		typeof value.version === 'number' &&
		Number.isFinite(value.version)
	);
}
