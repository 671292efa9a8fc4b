import { FORBIDDEN_KEYS, hasOwn, isPlainObject, mergeValue } from '../patch.js';

type Json = Record<string, unknown>;

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
 * as they were; keys in `FORBIDDEN_KEYS` are dropped.
 * @example
 * ```ts
 * composePatch({ theme: 'dark', bio: 'hi' }, { bio: null }); // { theme: 'dark', bio: null }
 * composePatch({ prefs: null }, { prefs: { a: 1 } });         // undefined
 * ```
 */
export function composePatch(first: Json, second: Json): Json | undefined {
	// Merging an empty patch is a shallow copy of `first` without forbidden keys.
	const result = mergeValue(first, {}) as Json;
	for (const key of Object.keys(second)) {
		if (FORBIDDEN_KEYS.has(key)) continue;
		let next: unknown = second[key];
		if (isPlainObject(next) && hasOwn(result, key)) {
			const previous = result[key];
			// An object patch after a replacement (null, string, array…) is not expressible as one patch.
			if (!isPlainObject(previous) || !(next = composePatch(previous, next))) return;
		}
		result[key] = next;
	}
	return result;
}
