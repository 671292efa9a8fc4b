import { FORBIDDEN_KEYS, hasOwn, isPlainObject } from '../patch.js';

/**
 * Combine two JSON Merge Patches into one that does exactly what applying `first` and then `second`
 * does, or return `undefined` when no single merge patch can say that.
 *
 * RFC 7396 patches do not always compose: `{ a: null }` then `{ a: { b: 1 } }` means "replace `a` with
 * `{ b: 1 }`", which one patch cannot express (it would merge into the old `a`). The update queue uses
 * this to coalesce patches into one request, and starts a new request instead when it gets `undefined`.
 *
 * @param first - The earlier patch.
 * @param second - The later patch.
 * @returns A new patch equal in effect to both, in order; `undefined` if there is none. Inputs are left
 * as they were.
 * @example
 * ```ts
 * composePatch({ theme: 'dark', bio: 'hi' }, { bio: null }); // { theme: 'dark', bio: null }
 * composePatch({ prefs: null }, { prefs: { a: 1 } });         // undefined
 * ```
 */
export function composePatch(
	first: Record<string, unknown>,
	second: Record<string, unknown>
): Record<string, unknown> | undefined {
	const result: Record<string, unknown> = {};
	for (const key of Object.keys(first)) {
		if (!FORBIDDEN_KEYS.has(key)) define(result, key, first[key]);
	}
	for (const key of Object.keys(second)) {
		if (FORBIDDEN_KEYS.has(key)) continue;
		const next = second[key];
		if (!isPlainObject(next) || !hasOwn(result, key)) {
			define(result, key, next);
			continue;
		}
		const previous = result[key];
		// An object patch after a replacement (null, string, array…) is not expressible as one patch.
		if (!isPlainObject(previous)) return undefined;
		const nested = composePatch(previous, next);
		if (nested === undefined) return undefined;
		define(result, key, nested);
	}
	return result;
}

/** Set an own data property without ever invoking a setter (`__proto__` stays a plain key). */
function define(target: Record<string, unknown>, key: string, value: unknown) {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
