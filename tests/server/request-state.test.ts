import type { Cookies } from '@sveltejs/kit';
import { describe, expect, it, vi } from 'vitest';
import { requestState } from '../../src/lib/server/request-state.js';

/** SvelteKit's cookies API as far as the kit touches it: `set`, recorded. */
function setup(protocol = 'http:') {
	const set = vi.fn();
	const event = { locals: {} as App.Locals, cookies: { set } as unknown as Cookies, url: new URL(`${protocol}//app.example/`) };
	const state = requestState(event);
	return { event, state, set };
}

describe('requestState: cookie interception', () => {
	it("should drop only the refresh write of the read that asked, not a later sign-out's deletion", async () => {
		const { event, state, set } = setup();
		state.drop = 'refresh';
		event.cookies.set('authjs.session-token', 'old-token-again', { path: '/' });
		expect(set).not.toHaveBeenCalled();
		await Promise.resolve();
		expect(state.drop).toBeNull();
		// Later in the same request, signOut(event) deletes the cookie: it must go through.
		event.cookies.set('authjs.session-token', '', { path: '/', maxAge: 0 });
		event.cookies.set('authjs.session-token', 'new-sign-in', { path: '/' });
		expect(set.mock.calls.map((call) => call[1])).toEqual(['', 'new-sign-in']);
	});

	it('should let deletions through even while a refresh is being dropped', () => {
		const { event, state, set } = setup();
		state.drop = 'refresh';
		event.cookies.set('authjs.session-token.1', '', { path: '/', maxAge: 0 });
		expect(set).toHaveBeenCalledTimes(1);
	});

	it('should never touch other cookies', () => {
		const { event, state, set } = setup();
		state.drop = 'all';
		event.cookies.set('theme', 'dark', { path: '/' });
		expect(set).toHaveBeenCalledWith('theme', 'dark', { path: '/' });
	});

	it('should follow the protocol for Secure unless Auth.js said so', () => {
		const http = setup('http:');
		http.event.cookies.set('authjs.session-token', 'v', { path: '/' });
		expect(http.set).toHaveBeenCalledWith('authjs.session-token', 'v', { secure: false, path: '/' });
		const https = setup('https:');
		https.event.cookies.set('__Secure-authjs.session-token', 'v', { path: '/', secure: true });
		expect(https.set).toHaveBeenCalledWith('__Secure-authjs.session-token', 'v', { secure: true, path: '/' });
	});
});
