import { describe, expect, it, vi } from 'vitest';
import { sendPatch, updateUrl } from '../../src/lib/client/request.js';

const respond = (status: number, body: string) =>
	vi.fn(async () => new Response(body, { status })) as unknown as typeof fetch;

describe('updateUrl', () => {
	it('should add the flag as a query parameter', () => {
		expect(updateUrl('/api/update-user-data', { name: 'query', value: 'update-user-data' })).toBe(
			'/api/update-user-data?query=update-user-data'
		);
		expect(updateUrl('/u?a=1', { name: 'f', value: 'a&b' })).toBe('/u?a=1&f=a%26b');
	});
});

describe('sendPatch', () => {
	it('should read data, sync and expires from a 200', async () => {
		const body = JSON.stringify({ data: { theme: 'dark' }, sync: { id: 's', version: 3 }, expires: 'e' });
		expect(await sendPatch(respond(200, body), '/u', {})).toEqual({
			ok: true,
			data: { theme: 'dark' },
			sync: { id: 's', version: 3 },
			expires: 'e'
		});
	});

	it('should ignore a malformed sync beside data', async () => {
		const body = JSON.stringify({ data: {}, sync: { id: 1, version: 'x' } });
		expect(await sendPatch(respond(200, body), '/u', {})).toEqual({ ok: true, data: {} });
	});

	it('should keep only well-formed issues', async () => {
		const body = JSON.stringify({
			error: {
				code: 'invalid_patch',
				message: 'Bad',
				issues: [{ path: ['bio'], message: 'Too long' }, { path: 'bio', message: 1 }, null]
			}
		});
		expect(await sendPatch(respond(422, body), '/u', {})).toEqual({
			ok: false,
			error: { status: 422, code: 'invalid_patch', message: 'Bad', issues: [{ path: ['bio'], message: 'Too long' }] }
		});
	});

	it('should turn an error body without code and message into a server_error', async () => {
		const result = await sendPatch(respond(403, JSON.stringify({ error: 'Forbidden' })), '/u', {});
		expect(result).toMatchObject({ ok: false, error: { status: 403, code: 'server_error' } });
	});

	it('should report an abort while reading the body as aborted', async () => {
		const fetcher = vi.fn(async () => ({
			ok: true,
			status: 200,
			json: () => Promise.reject(new DOMException('aborted', 'AbortError'))
		})) as unknown as typeof fetch;
		expect(await sendPatch(fetcher, '/u', {})).toMatchObject({ ok: false, error: { status: 0, code: 'aborted' } });
	});
});
