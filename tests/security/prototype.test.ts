/**
 * Pure, in-process check that the kit's parser, validator and merge never write to a prototype, fed
 * the same raw JSON payloads as the HTTP corpus. Nothing here is mocked: it runs the real modules.
 */
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { findUnsafeKeys, mergePatch, mergeValue } from '../../src/lib/patch.js';
import { parseJsonStrict } from '../../src/lib/server/json.js';
import { checkPatch } from '../../src/lib/server/validate.js';

const fields = {
	fav_num: v.pipe(v.string(), v.maxLength(100)),
	// An object-valued field, so nested merges really happen.
	prefs: v.record(v.string(), v.unknown())
};

const PAYLOADS = [
	'{"__proto__":{"polluted":"yes"}}',
	'{"constructor":{"prototype":{"polluted":"yes"}}}',
	'{"prototype":{"polluted":"yes"}}',
	'{"prefs":{"__proto__":{"polluted":"yes"}}}',
	'{"prefs":{"constructor":{"prototype":{"polluted":"yes"}}}}',
	'{"prefs":{"a":{"__proto__":{"polluted":"yes"}}}}',
	'{"prefs":[{"__proto__":{"polluted":"yes"}}]}',
	'{"fav_num":"1","__proto__":{"polluted":"yes"}}'
];

function expectClean() {
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(Object.prototype).not.toHaveProperty('polluted');
	expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
	expect((Object as unknown as Record<string, unknown>).polluted).toBeUndefined();
	expect((Array.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
}

afterEach(() => {
	// If a test did pollute, do not let it hide behind the next one.
	delete (Object.prototype as Record<string, unknown>).polluted;
});

describe('no prototype pollution in the parser, validator and merge', () => {
	for (const payload of PAYLOADS) {
		it(`should parse, refuse and merge ${payload} without touching a prototype`, async () => {
			const parsed = parseJsonStrict(payload) as Record<string, unknown>;
			expectClean();
			const checked = await checkPatch(fields, parsed, new Set(['name']));
			expect(checked.ok).toBe(false);
			expectClean();
			// Even merging the refused payload directly (as a careless caller might) never reaches a prototype.
			const merged = mergePatch({ prefs: { a: {} } }, parsed) as Record<string, unknown>;
			mergeValue({}, parsed);
			expectClean();
			expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
			expect(Object.keys(merged)).not.toContain('__proto__');
			expect(findUnsafeKeys(parsed, []).length).toBeGreaterThan(0);
		});
	}

	it('should merge a clean nested patch as RFC 7396 says, with plain results', async () => {
		const parsed = parseJsonStrict('{"prefs":{"a":{"b":1},"c":null}}') as Record<string, unknown>;
		const checked = await checkPatch(fields, parsed, new Set());
		expect(checked.ok).toBe(true);
		const merged = mergePatch({ prefs: { a: { x: 0 }, c: 1 } }, parsed);
		expect(merged).toStrictEqual({ prefs: { a: { x: 0, b: 1 } } });
		expectClean();
	});
});
