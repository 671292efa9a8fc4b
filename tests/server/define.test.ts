import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { defineSessionSync } from '../../src/lib/server/index.js';
import { mergePatch } from '../../src/lib/patch.js';

describe('defineSessionSync: definition-time errors', () => {
	for (const name of ['sub', 'id', 'email', 'iat', 'exp', 'jti', 'nbf', 'iss', 'aud', 'syncVersion', 'syncId', 'picture']) {
		it(`should refuse the reserved claim "${name}" as a writable field`, () => {
			expect(() => defineSessionSync({ fields: { [name]: v.string() } })).toThrow(
				new RegExp(`"${name}" cannot be a writable field: it is a reserved claim`)
			);
		});
	}

	for (const name of ['__proto__', 'constructor', 'prototype']) {
		it(`should refuse "${name}" as a writable field`, () => {
			const fields = JSON.parse(`{"${name}": 1}`);
			fields[name] = v.string();
			expect(() => defineSessionSync({ fields })).toThrow(/cannot be a writable field/);
		});
	}

	it('should refuse a field that is also exposed read-only', () => {
		expect(() => defineSessionSync({ fields: { name: v.string() }, expose: ['name', 'email'] })).toThrow(
			/"name" is listed in `expose` \(read-only\) and in `fields` \(writable\)/
		);
	});

	it('should refuse a field without a Standard Schema', () => {
		expect(() => defineSessionSync({ fields: { theme: 'dark' as never } })).toThrow(/needs a Standard Schema/);
	});

	it('should refuse a non-positive cookie budget', () => {
		expect(() => defineSessionSync({ fields: {}, maxCookieBytes: 0 })).toThrow(/maxCookieBytes must be a positive number/);
	});

	it('should accept the demo definition', () => {
		const sync = defineSessionSync({
			fields: { fav_num: v.string(), theme: v.picklist(['light', 'dark']) },
			expose: ['name', 'email', 'image']
		});
		expect(sync.writable).toEqual(['fav_num', 'theme']);
		expect(sync.expose).toEqual(['name', 'email', 'image']);
	});
});

describe('validate()', () => {
	const sync = defineSessionSync({
		fields: { fav_num: v.pipe(v.string(), v.maxLength(3)), prefs: v.object({ a: v.optional(v.number()) }) }
	});

	it('should return the schema output for valid values and null for removals', async () => {
		expect(await sync.validate({ fav_num: '12', prefs: null })).toEqual({ ok: true, patch: { fav_num: '12', prefs: null } });
	});

	it('should report one issue per refused field', async () => {
		const result = await sync.validate({ fav_num: '1234', sub: 'x', nope: 1 });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.issues.map((i) => i.path[0]).sort()).toEqual(['fav_num', 'nope', 'sub']);
	});

	it('should refuse prototype keys nested in a value', async () => {
		const result = await sync.validate(JSON.parse('{"prefs": {"__proto__": {"a": 1}}}'));
		expect(result).toEqual({ ok: false, issues: [{ path: ['prefs', '__proto__'], message: 'Key "__proto__" is not allowed' }] });
		expect(({} as Record<string, unknown>).a).toBeUndefined();
	});

	it('should refuse anything but a plain object', async () => {
		for (const body of [null, [], 'x', 1, true]) expect((await sync.validate(body)).ok).toBe(false);
	});
});

describe('mergePatch (RFC 7396)', () => {
	it('should replace, remove with null and merge nested objects without touching the input', () => {
		const target = { a: 1, b: { c: 2, d: 3 }, e: 'x' };
		const result = mergePatch(target, { a: 2, b: { c: null, f: 4 }, e: null });
		expect(result).toEqual({ a: 2, b: { d: 3, f: 4 } });
		expect(target).toEqual({ a: 1, b: { c: 2, d: 3 }, e: 'x' });
	});

	it('should never follow __proto__ into a prototype', () => {
		const result = mergePatch({}, JSON.parse('{"__proto__": {"polluted": true}, "x": {"__proto__": {"polluted": true}}}'));
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
		expect((result as Record<string, unknown>).polluted).toBeUndefined();
	});
});

describe('the demo server', () => {
	it('should refuse to start in production without AUTH_SECRET, naming the variable', async () => {
		const { startServer } = await import('../helpers/server.js');
		const error = await startServer({ AUTH_SECRET: '' }).then(
			async (server) => {
				await server.stop();
				return null;
			},
			(failure: Error) => failure
		);
		expect(error?.message).toMatch(/AUTH_SECRET is not set/);
	});
});

describe('defineSessionSync: option checks', () => {
	it('should refuse an allowed origin that is not an origin, and normalise one with a path', () => {
		expect(() => defineSessionSync({ fields: {}, allowedOrigins: ['admin.example.com'] })).toThrow(/is not an origin/);
		expect(() => defineSessionSync({ fields: {}, allowedOrigins: ['https://admin.example.com/'] })).not.toThrow();
	});

	it('should refuse a negative or non-numeric updateAge', () => {
		expect(() => defineSessionSync({ fields: {}, updateAge: -1 })).toThrow(/updateAge/);
		expect(() => defineSessionSync({ fields: {}, updateAge: Number.NaN })).toThrow(/updateAge/);
	});

	it('should leave a partial object to be judged after the merge (RFC 7396), not refuse it', async () => {
		const sync = defineSessionSync({ fields: { prefs: v.object({ a: v.number(), b: v.number() }) } });
		expect(await sync.validate({ prefs: { a: 2 } })).toEqual({ ok: true, patch: { prefs: { a: 2 } } });
		expect(await sync.validate({ prefs: 'x' })).toMatchObject({ ok: false });
	});
});
