import type { StandardSchemaV1 } from '@standard-schema/spec';
import { FORBIDDEN_KEYS, findUnsafeKeys, hasOwn, isPlainObject } from '../patch.js';
import type { SyncIssue } from '../types.js';

/** Writable fields: one Standard Schema each. */
export type FieldSchemas = Record<string, StandardSchemaV1>;

/** Claims that identify or time the session; never writable. */
export const RESERVED_CLAIMS: readonly string[] = ['sub', 'id', 'email', 'iat', 'exp', 'jti', 'nbf', 'iss', 'aud'];

/** Token claims the kit itself keeps: the session id and the update version. */
export const SYNC_ID_CLAIM = 'syncId';
export const SYNC_VERSION_CLAIM = 'syncVersion';

/** Names no writable field may take (reserved claims, the kit's own claims, prototype keys). */
const FORBIDDEN_FIELD_NAMES = new Set<string>([
	...RESERVED_CLAIMS,
	...FORBIDDEN_KEYS,
	SYNC_ID_CLAIM,
	SYNC_VERSION_CLAIM,
	'picture'
]);

/**
 * Check field definitions once, at start-up: reserved names, exposed fields, bad names and missing
 * schemas throw with a message that says what to change.
 */
export function assertFieldDefinitions(fields: FieldSchemas, expose: readonly string[]): void {
	if (!isPlainObject(fields)) {
		throw new TypeError('defineSessionSync: `fields` must be an object of Standard Schemas');
	}
	for (const name of Object.keys(fields)) {
		if (FORBIDDEN_FIELD_NAMES.has(name)) {
			throw new Error(
				`defineSessionSync: "${name}" cannot be a writable field: it is a reserved claim. ` +
					`Reserved: ${[...FORBIDDEN_FIELD_NAMES].join(', ')}`
			);
		}
		if (expose.includes(name)) {
			throw new Error(
				`defineSessionSync: "${name}" is listed in \`expose\` (read-only) and in \`fields\` (writable); pick one`
			);
		}
		if (!/^[A-Za-z_$][\w$-]*$/.test(name)) {
			throw new Error(`defineSessionSync: "${name}" is not a valid field name`);
		}
		const schema = fields[name] as Partial<StandardSchemaV1> | undefined;
		if (!schema || typeof schema['~standard']?.validate !== 'function') {
			throw new TypeError(`defineSessionSync: field "${name}" needs a Standard Schema (valibot, zod, arktype…)`);
		}
	}
	for (const name of expose) {
		if (FORBIDDEN_KEYS.has(name)) throw new Error(`defineSessionSync: "${name}" cannot be exposed`);
	}
}

/** The message of every 422: the issues say which fields and why. */
export const INVALID_PATCH_MESSAGE = 'Some fields need attention';

/** Result of validating a patch: the values to merge, or one issue per refused field. */
export type PatchCheck =
	| { ok: true; patch: Record<string, unknown> }
	| { ok: false; issues: SyncIssue[] };

/**
 * Validate a patch object against the writable fields. Every key must be a writable field; every
 * non-null value must pass its schema (the schema's output is what gets merged), except objects, whose
 * schema is run on the merged result when the patch is applied. Any refused key refuses the whole patch.
 */
export async function checkPatch(
	fields: FieldSchemas,
	body: Record<string, unknown>,
	readOnly: ReadonlySet<string>
): Promise<PatchCheck> {
	const issues: SyncIssue[] = [];
	const patch: Record<string, unknown> = {};
	for (const key of Object.keys(body)) {
		if (FORBIDDEN_KEYS.has(key) || !hasOwn(fields, key)) {
			issues.push({
				path: [key],
				message: readOnly.has(key) || FORBIDDEN_FIELD_NAMES.has(key) ? 'Field is read-only' : 'Unknown field'
			});
			continue;
		}
		const value = body[key];
		if (value === null) {
			patch[key] = null;
			continue;
		}
		const unsafe = findUnsafeKeys(value, [key]);
		if (unsafe.length > 0) {
			issues.push(unsafe[0]);
			continue;
		}
		if (isPlainObject(value)) {
			// An object merges key by key (RFC 7396): its schema judges the merged value, which only the
			// jwt callback can build (it holds the token). A partial object is not a failure here.
			patch[key] = value;
			continue;
		}
		const result = await validateValue(fields[key], value);
		if (result.ok) patch[key] = result.value;
		else issues.push({ path: [key], message: result.message });
	}
	return issues.length > 0 ? { ok: false, issues } : { ok: true, patch };
}

/** Run one Standard Schema; a schema that throws counts as a refusal, not a crash. */
export async function validateValue(
	schema: StandardSchemaV1,
	value: unknown
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
	try {
		const result = await schema['~standard'].validate(value);
		if (result.issues) return { ok: false, message: result.issues[0]?.message || 'Invalid value' };
		return { ok: true, value: result.value };
	} catch {
		return { ok: false, message: 'Invalid value' };
	}
}
