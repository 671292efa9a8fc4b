/**
 * Pure JSON Merge Patch helpers shared by the store and the server. No `$app`, no `$env`, no Auth.js.
 */
import type { SyncIssue } from './types.js';

/** Keys that can reach an object's prototype; never accepted as a field or nested key. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Nesting deeper than this inside one field value is refused (keeps every walk bounded). */
export const MAX_DEPTH = 32;

/** True for `{}`-like values: not null, not an array, and with `Object.prototype` or no prototype. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	// Arrays fail the prototype check (their prototype is `Array.prototype`, of any realm).
	return !!value && typeof value === 'object' && [null, Object.prototype].includes(Object.getPrototypeOf(value));
}

/** True for strings. */
export const isString = (value: unknown): value is string => typeof value === 'string';

/** Own property check that cannot be fooled by an own `hasOwnProperty` key. */
export function hasOwn(object: object, key: string): boolean {
	return {}.hasOwnProperty.call(object, key);
}

/** An own property's value, or `undefined` (never an inherited one). */
export function own(object: object, key: string): unknown {
	return hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/**
 * Find nested keys that could reach a prototype, and nesting that is too deep, inside one field value.
 * Walks iteratively so hostile depth can never overflow the stack.
 */
export function findUnsafeKeys(value: unknown, path: string[]): SyncIssue[] {
	const issues: SyncIssue[] = [];
	const stack: Array<{ value: unknown; path: string[] }> = [{ value, path }];
	while (stack.length > 0) {
		const item = stack.pop()!;
		if (typeof item.value !== 'object' || item.value === null) continue;
		if (item.path.length > MAX_DEPTH) {
			issues.push({ path: item.path.slice(0, 1), message: `Nested deeper than ${MAX_DEPTH} levels` });
			break;
		}
		for (const key of Object.keys(item.value)) {
			const child = [...item.path, key];
			if (FORBIDDEN_KEYS.has(key)) {
				issues.push({ path: child, message: `Key "${key}" is not allowed` });
				continue;
			}
			stack.push({ value: (item.value as Record<string, unknown>)[key], path: child });
		}
	}
	return issues;
}

/**
 * Apply an RFC 7396 merge patch to one value and return the result; neither input is modified.
 * Objects merge key by key, `null` removes, anything else replaces. Keys in `FORBIDDEN_KEYS` are
 * skipped (callers reject them earlier with `findUnsafeKeys`).
 */
export function mergeValue(target: unknown, patch: unknown, depth = 0): unknown {
	if (!isPlainObject(patch) || depth > MAX_DEPTH) return patch;
	const result: Record<string, unknown> = {};
	if (isPlainObject(target)) {
		for (const key of Object.keys(target)) {
			// Plain assignment is safe: `__proto__`, the only setter on `Object.prototype`, is skipped.
			if (!FORBIDDEN_KEYS.has(key)) result[key] = target[key];
		}
	}
	for (const key of Object.keys(patch)) {
		if (FORBIDDEN_KEYS.has(key)) continue;
		const value = patch[key];
		if (value === null) delete result[key];
		else result[key] = mergeValue(own(result, key), value, depth + 1);
	}
	return result;
}

/**
 * Merge a patch into a record at the top level: each patched key takes `mergeValue` of its old and new
 * value, `null` removes the key. Returns a new object; `target` is left as it was.
 */
export function mergePatch<T extends Record<string, unknown>>(
	target: T,
	patch: Record<string, unknown>
): T {
	return mergeValue(target, patch) as T;
}

/** Deep equality for JSON values (used to tell whether a token really changed). */
export function jsonEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || !a || !b || Array.isArray(a) !== Array.isArray(b)) return false;
	const keys = Object.keys(a);
	return (
		keys.length === Object.keys(b).length &&
		keys.every((key) => hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
	);
}
