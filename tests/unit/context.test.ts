import { render, screen } from '@testing-library/svelte';
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
		store.adopt(null);
		await Promise.resolve();
		expect(screen.getByTestId('name').textContent).toBe('signed out');
		store.destroy();
	});

	it('should throw a clear error when no store was set', () => {
		expect(() => render(ContextReader)).toThrow(/getSessionSync\(\) found no session store.*setSessionSync/);
	});
});
