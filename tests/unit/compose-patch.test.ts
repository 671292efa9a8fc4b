import { describe, expect, it } from 'vitest';
import { composePatch } from '../../src/lib/client/compose-patch.js';
import { mergePatch } from '../../src/lib/patch.js';

const targets: Array<Record<string, unknown>> = [
	{},
	{ a: 1, b: 'x', prefs: { x: 1, y: { z: 2 } } },
	{ prefs: 'scalar', list: [1, 2] }
];

describe('composePatch', () => {
	it.each([
		[{ a: 1 }, { b: 2 }],
		[{ a: 1 }, { a: null }],
		[{ a: null }, { a: 2 }],
		[{ prefs: { x: 5 } }, { prefs: { y: null } }],
		[{ prefs: { y: { z: 3 } } }, { prefs: { y: { w: 4 } } }],
		[{ list: [3] }, { list: [4, 5] }],
		[{}, { prefs: { x: null } }]
	])('should compose %j then %j into one equivalent patch', (first, second) => {
		const composed = composePatch(first, second);
		expect(composed).toBeDefined();
		for (const target of targets) {
			expect(mergePatch(target, composed!)).toEqual(mergePatch(mergePatch(target, first), second));
		}
	});

	it.each([
		[{ prefs: null }, { prefs: { c: 3 } }],
		[{ prefs: 'x' }, { prefs: { c: 3 } }],
		[{ prefs: { y: null } }, { prefs: { y: { z: 1 } } }]
	])('should refuse %j then %j, which one merge patch cannot express', (first, second) => {
		expect(composePatch(first, second)).toBeUndefined();
	});

	it('should leave its inputs as they were and never follow __proto__', () => {
		const first = { a: { b: 1 } };
		const second = JSON.parse('{"a":{"c":2},"__proto__":{"polluted":true}}') as Record<string, unknown>;
		const composed = composePatch(first, second)!;
		expect(first).toEqual({ a: { b: 1 } });
		expect(composed).toEqual({ a: { b: 1, c: 2 } });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});
