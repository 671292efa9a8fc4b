import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { FORM_INITIAL_INPUT, FORM_KINDS_INPUT, type FormFieldKind } from '../form.js';
import { isPlainObject, jsonEqual } from '../patch.js';
import type { SyncError, SyncInfo, SyncSession } from '../types.js';
import { SyncFailure, assertSameOrigin, readLimitedText } from './http.js';
import { INVALID_PATCH_MESSAGE, checkPatch, type FieldSchemas } from './validate.js';

// Shared with `<UserDataEditor>`, which must not import server code.
export { FORM_INITIAL_INPUT, FORM_KINDS_INPUT, type FormFieldKind };

/** What the form action returns to the page (as `form.sessionSync`). */
export type SessionSyncActionData<User extends object> = {
	sessionSync:
		| { ok: true; data: User; sync?: SyncInfo }
		| { ok: false; error: SyncError; values: Record<string, string | boolean> };
};

interface FormActionConfig<User extends object> {
	fields: FieldSchemas;
	maxBodyBytes: number;
	allowedOrigins: ReadonlySet<string>;
	readOnly: ReadonlySet<string>;
	commit(
		event: RequestEvent,
		patch: Record<string, unknown>
	): Promise<{ ok: true; session: SyncSession<User> } | { ok: false; failure: SyncFailure }>;
}

const KINDS = new Set<FormFieldKind>(['text', 'textarea', 'select', 'number', 'checkbox']);

/**
 * The form action behind `<UserDataEditor>` when JavaScript has not loaded: same validation and
 * merge as the endpoint, only the fields that changed, field errors as `fail(422)`, and a 303 back to
 * the page on success (so a reload never posts twice).
 */
export function createFormAction<User extends object>(config: FormActionConfig<User>) {
	return async function updateUserData(event: RequestEvent) {
		let values: Record<string, string | boolean> = {};
		try {
			assertSameOrigin(event.request, event.url, config.allowedOrigins);
			const type = event.request.headers.get('content-type')?.split(';', 1)[0].trim().toLowerCase();
			if (type !== 'application/x-www-form-urlencoded') {
				throw new SyncFailure(415, 'unsupported_media_type', 'The form must be sent URL-encoded');
			}
			// A form carries each field plus two small hidden inputs: allow for that overhead. Read with a
			// limit, so a chunked body without Content-Length is capped too.
			const form = new URLSearchParams(await readLimitedText(event.request, config.maxBodyBytes * 2 + 4096));
			const read = readForm(form, Object.keys(config.fields));
			values = read.values;
			const checked = await checkPatch(config.fields, read.patch, config.readOnly);
			if (!checked.ok) throw new SyncFailure(422, 'invalid_patch', INVALID_PATCH_MESSAGE, checked.issues);
			const result = await config.commit(event, checked.patch);
			if (!result.ok) throw result.failure;
		} catch (error) {
			const failure =
				error instanceof SyncFailure
					? error
					: new SyncFailure(500, 'server_error', 'The session could not be updated');
			if (!(error instanceof SyncFailure)) console.error('[sveltekit-session-sync]', error);
			return fail(failure.status, {
				sessionSync: { ok: false as const, error: { status: failure.status, ...failure.body }, values }
			});
		}
		// Back to the page as it was asked for, less the `?/updateUserData` action name.
		const back = new URL(event.url);
		for (const key of [...back.searchParams.keys()]) if (key.startsWith('/')) back.searchParams.delete(key);
		redirect(303, back.pathname + back.search);
	};
}

/** Turn the posted form into a patch of the fields that changed, and keep what was typed. */
function readForm(form: URLSearchParams, writable: string[]) {
	const kinds = parseJson(form.get(FORM_KINDS_INPUT));
	const initial = parseJson(form.get(FORM_INITIAL_INPUT));
	const described: Record<string, FormFieldKind> = {};
	if (kinds) {
		for (const [name, kind] of Object.entries(kinds)) {
			described[name] = KINDS.has(kind as FormFieldKind) ? (kind as FormFieldKind) : 'text';
		}
	} else {
		for (const name of writable) if (form.has(name)) described[name] = 'text';
	}
	const patch: Record<string, unknown> = {};
	const values: Record<string, string | boolean> = {};
	for (const [name, kind] of Object.entries(described)) {
		const raw = kind === 'checkbox' ? form.has(name) : form.get(name);
		if (raw === null) continue;
		values[name] = raw;
		const value = coerce(kind, raw);
		const before = initial && Object.prototype.hasOwnProperty.call(initial, name) ? initial[name] : undefined;
		if (initial && jsonEqual(value, before ?? null)) continue;
		Object.defineProperty(patch, name, { value, enumerable: true, writable: true, configurable: true });
	}
	return { patch, values };
}

function coerce(kind: FormFieldKind, raw: string | boolean): unknown {
	if (typeof raw === 'boolean') return raw;
	if (kind === 'number') {
		if (raw.trim() === '') return null;
		const number = Number(raw);
		return Number.isFinite(number) ? number : raw;
	}
	return raw === '' ? null : raw;
}

function parseJson(value: string | null): Record<string, unknown> | null {
	if (typeof value !== 'string') return null;
	try {
		const parsed = JSON.parse(value);
		return isPlainObject(parsed) ? parsed : null;
	} catch {
		return null;
	}
}
