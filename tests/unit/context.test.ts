import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { createSessionSync } from '../../src/lib/client/index.js';
import ContextProvider from './fixtures/ContextProvider.svelte';
import ContextReader from './fixtures/ContextReader.svelte';

describe('setSessionSync / getSessionSync', () => {
	it('should hand the store to child components', async () => {
		const store = createSessionSync({
			session: { user: { name: 'Ada Lovelace' }, expires: '2099-01-01T00:00:00.000Z' },
			broadcast: false
		});
		render(ContextProvider, { store });
		expect(screen.getByTestId('name').textContent).toBe('Ada Lovelace');
		expect(screen.getByTestId('current').textContent).toBe('Ada Lovelace');
		store.adopt({ user: { name: 'Grace Hopper' }, expires: '2099-01-01T00:00:00.000Z' });
		flushSync();
		// `current` is reactive in runes code too, not only `$store`.
		expect(screen.getByTestId('current').textContent).toBe('Grace Hopper');
		store.adopt(null);
		flushSync();
		expect(screen.getByTestId('name').textContent).toBe('signed out');
		expect(screen.getByTestId('current').textContent).toBe('signed out');
		store.destroy();
	});

	it('should throw a clear error when no store was set', () => {
		expect(() => render(ContextReader)).toThrow(/getSessionSync\(\) found no session store.*setSessionSync/);
	});
});
