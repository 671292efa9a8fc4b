/**
 * Shared set-up for component tests: a real store wired to the fake endpoint of the store tests,
 * handed down through context by a harness component.
 */
import { render } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, vi } from 'vitest';
import { createSessionSync, type FieldDefinition, type SessionSyncStore } from '../../src/lib/index.js';
import { createFakeEndpoint, type TestSession, type TestUser } from '../unit/fake-endpoint.js';
import ContextHarness from './fixtures/ContextHarness.svelte';

export { flush } from '../unit/fake-endpoint.js';

/** The demo's fields, as the design names them. */
export const FIELDS: FieldDefinition[] = [
	{ name: 'fav_num', label: 'Favourite number', kind: 'text' },
	{ name: 'bio', label: 'Bio', kind: 'textarea', description: 'At most 280 characters.' },
	{
		name: 'theme',
		label: 'Theme',
		kind: 'select',
		options: [
			{ value: 'light', label: 'Light' },
			{ value: 'dark', label: 'Dark' },
			{ value: 'system', label: 'System' }
		]
	}
];

export const ADA: TestUser = {
	name: 'Ada Lovelace',
	email: 'ada@example.com',
	image: '/avatars/ada.svg',
	fav_num: '7',
	bio: 'Analytical engines',
	theme: 'light'
};

const endpoints: Array<ReturnType<typeof createFakeEndpoint>> = [];
const stores: SessionSyncStore<TestSession>[] = [];

afterEach(async () => {
	// A request left open would hold the update queue for the next test.
	for (const endpoint of endpoints.splice(0)) await endpoint.drain();
	for (const store of stores.splice(0)) store.destroy();
	vi.restoreAllMocks();
});

/** A fake endpoint and a real store on it, signed in as `user` (or signed out with `null`). */
export function createTestStore(user: TestUser | null = ADA) {
	const endpoint = createFakeEndpoint(user ?? undefined);
	endpoints.push(endpoint);
	const store = createSessionSync<TestSession>(endpoint.options(user === null ? { session: null } : {}));
	stores.push(store);
	return { endpoint, store };
}

/** Render `component` with `props` below a harness that puts `store` in context. */
export function renderInContext(
	component: Component<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
	store: SessionSyncStore<TestSession>,
	props: Record<string, unknown> = {}
) {
	return render(ContextHarness, { props: { store: store as never, component, props } });
}
