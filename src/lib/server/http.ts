import type { SyncErrorBody, SyncErrorCode, SyncIssue } from '../types.js';

/** A failure that maps to one status and one error body of the wire protocol. */
export class SyncFailure extends Error {
	readonly status: number;
	readonly code: SyncErrorCode;
	readonly issues?: SyncIssue[];

	constructor(status: number, code: SyncErrorCode, message: string, issues?: SyncIssue[]) {
		super(message);
		this.status = status;
		this.code = code;
		this.issues = issues;
	}

	/** The `error` member of the response body. */
	get body(): SyncErrorBody {
		return this.issues
			? { code: this.code, message: this.message, issues: this.issues }
			: { code: this.code, message: this.message };
	}
}

const JSON_HEADERS = {
	'content-type': 'application/json; charset=utf-8',
	'cache-control': 'private, no-store'
};

/** Serialise a protocol error as `{"error": {...}}` with its status. */
export function errorResponse(failure: SyncFailure): Response {
	return new Response(JSON.stringify({ error: failure.body }), {
		status: failure.status,
		headers: JSON_HEADERS
	});
}

/** A 200 JSON response that is never cached by shared caches. */
export function jsonResponse(body: unknown): Response {
	return new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS });
}

/** Media types accepted as a JSON patch. */
const JSON_TYPES = new Set(['application/json', 'application/merge-patch+json']);

/** Throw 415 unless the content type is JSON (parameters such as `charset` are allowed). */
export function assertJsonContentType(request: Request): void {
	const header = request.headers.get('content-type');
	const type = header?.split(';', 1)[0].trim().toLowerCase();
	if (!type || !JSON_TYPES.has(type)) {
		throw new SyncFailure(
			415,
			'unsupported_media_type',
			`Content-Type must be application/json (got ${header ? JSON.stringify(header.slice(0, 100)) : 'none'})`
		);
	}
}

/**
 * Throw 403 for a cross-origin request: an `Origin` header that is `null` or names another site.
 * Requests without `Origin` come from non-browser clients (browsers always send it on POST).
 */
export function assertSameOrigin(request: Request, url: URL, allowed: ReadonlySet<string>): void {
	const origin = request.headers.get('origin');
	if (origin === null) return;
	if (origin === url.origin || allowed.has(origin)) return;
	throw new SyncFailure(403, 'forbidden_origin', `Cross-origin request from ${origin.slice(0, 200)} refused`);
}

/**
 * Read the body as UTF-8 text, refusing (413) as soon as it passes `limit` bytes, so a huge body is
 * never buffered. A stream that breaks midway is a 400.
 */
export async function readLimitedText(request: Request, limit: number): Promise<string> {
	const declared = request.headers.get('content-length');
	if (declared !== null && Number(declared) > limit) {
		throw tooLarge(limit);
	}
	if (!request.body) return '';
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > limit) {
				void discard(reader);
				throw tooLarge(limit);
			}
			chunks.push(value);
		}
	} catch (error) {
		if (error instanceof SyncFailure) throw error;
		throw new SyncFailure(400, 'invalid_body', 'The request body could not be read');
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		throw new SyncFailure(400, 'invalid_json', 'The request body is not valid UTF-8');
	}
}

/** Read what is left of a body and drop it, chunk by chunk, so nothing is buffered. */
async function discard(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
	try {
		while (!(await reader.read()).done);
	} catch {
		// The client went away: nothing left to drain.
	}
}

function tooLarge(limit: number) {
	return new SyncFailure(413, 'body_too_large', `The request body is larger than ${limit} bytes`);
}
