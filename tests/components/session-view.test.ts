import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { SessionView } from '../../src/lib/index.js';
import type { SessionViewProps } from '../../src/lib/index.js';
import { EXPIRES, type TestUser } from '../unit/fake-endpoint.js';
import SessionViewSnippets from './fixtures/SessionViewSnippets.svelte';
import { ADA, FIELDS, createTestStore, flush, renderInContext } from './helpers.js';

function setup(props: Partial<SessionViewProps> = {}, user: TestUser | null = ADA) {
	const { endpoint, store } = createTestStore(user);
	const result = renderInContext(SessionView, store, { fields: FIELDS, ...props });
	const root = result.container.querySelector<HTMLElement>('.session-sync-view')!;
	return { endpoint, store, root, ...result };
}

function row(name: string) {
	return document.querySelector<HTMLElement>(`[data-field="${name}"] dd`)!;
}

describe('<SessionView>', () => {
	it('should show a sign-in link when signed out', () => {
		const { root } = setup({ signInHref: '/login' }, null);
		expect(screen.getByText('You are signed out.')).toBeInTheDocument();
		expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/login');
		expect(root).toHaveAttribute('data-signed-in', 'false');
		expect(screen.queryByRole('img')).toBeNull();
	});

	it('should link to / by default when signed out', () => {
		setup({}, null);
		expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/');
	});

	it('should show the image, name, email and the labelled fields', () => {
		setup();
		expect(screen.getByRole('img', { name: 'Ada Lovelace' })).toHaveAttribute('src', '/avatars/ada.svg');
		expect(screen.getByText('Ada Lovelace')).toBeInTheDocument();
		expect(screen.getByText('ada@example.com')).toBeInTheDocument();
		const terms = screen.getAllByRole('term').map((term) => term.textContent);
		expect(terms).toEqual(['Favourite number', 'Bio', 'Theme']);
		expect(row('fav_num')).toHaveTextContent('7');
		expect(row('bio')).toHaveTextContent('Analytical engines');
		// A select field shows its option's label.
		expect(row('theme')).toHaveTextContent('Light');
	});

	it('should show no field list without fields, and no image without one', () => {
		setup({ fields: undefined }, { name: 'Grace Hopper', email: 'grace@example.com', fav_num: '3' });
		expect(screen.queryByRole('term')).toBeNull();
		expect(screen.queryByRole('img')).toBeNull();
		expect(screen.getByText('Grace Hopper')).toBeInTheDocument();
	});

	it('should print the empty text for a field without a value', () => {
		setup({}, { name: 'Ada', email: 'ada@example.com' });
		expect(row('fav_num')).toHaveTextContent('—');
	});

	it('should show the new value at once while saving, with a status and data-state="saving"', async () => {
		const { store, endpoint, root } = setup();
		const status = screen.getByRole('status');
		expect(status).toHaveTextContent('');
		expect(root).toHaveAttribute('data-state', 'idle');

		const saved = store.update({ fav_num: '42' });
		await flush();
		expect(row('fav_num')).toHaveTextContent('42');
		expect(status).toHaveTextContent('Saving…');
		expect(root).toHaveAttribute('data-state', 'saving');
		expect(row('fav_num').parentElement).toHaveAttribute('data-pending', 'true');
		expect(row('bio').parentElement).not.toHaveAttribute('data-pending');

		await endpoint.requests[0].succeed();
		await saved;
		await flush();
		expect(row('fav_num')).toHaveTextContent('42');
		expect(status).toHaveTextContent('');
		expect(root).toHaveAttribute('data-state', 'idle');
		expect(row('fav_num').parentElement).not.toHaveAttribute('data-pending');
	});

	it('should roll the view back but leave the alert to others with showError={false}', async () => {
		const { store, endpoint, root } = setup({ showError: false });
		const saved = store.update({ fav_num: '42' });
		await flush();
		await endpoint.requests[0].fail(500, { code: 'server_error', message: 'Down' });
		await saved;
		await flush();
		expect(row('fav_num')).toHaveTextContent('7');
		expect(root).toHaveAttribute('data-state', 'error');
		expect(screen.queryByRole('alert')).toBeNull();
	});

	it('should roll the view back and show the error in an alert when a save fails', async () => {
		const { store, endpoint, root } = setup();
		const saved = store.update({ fav_num: '42' });
		await flush();
		expect(screen.queryByRole('alert')).toBeNull();
		await endpoint.requests[0].fail(413, { code: 'cookie_too_large', message: 'The session is full' });
		await saved;
		await flush();
		expect(row('fav_num')).toHaveTextContent('7');
		expect(screen.getByRole('alert')).toHaveTextContent('Your last change was not saved: The session is full');
		expect(root).toHaveAttribute('data-state', 'error');

		// The next success clears it.
		const again = store.update({ bio: 'ok' });
		await flush();
		await endpoint.requests[1].succeed();
		await again;
		await flush();
		expect(screen.queryByRole('alert')).toBeNull();
	});

	it('should follow the store when page data brings a new session', async () => {
		const { store, endpoint } = setup();
		store.adopt({ ...endpoint.session(), user: { ...ADA, fav_num: '99' }, sync: { id: 'sid-1', version: 1 } });
		await flush();
		expect(row('fav_num')).toHaveTextContent('99');
		store.adopt(null);
		await flush();
		expect(screen.getByRole('link', { name: 'Sign in' })).toBeInTheDocument();
	});

	it('should render the header, field row and signed-out snippets', async () => {
		const { store } = createTestStore();
		render(SessionViewSnippets, { props: { store: store as never, fields: FIELDS } });
		expect(screen.getByTestId('custom-header')).toHaveTextContent('Hello, Ada Lovelace');
		expect(screen.getByTestId('custom-header')).toHaveAttribute('data-view-state', 'idle');
		expect(screen.queryByRole('img')).toBeNull();
		const rows = screen.getAllByTestId('custom-row');
		expect(rows.map((r) => r.textContent)).toEqual(['FAVOURITE NUMBER [7]', 'BIO [Analytical engines]', 'THEME [Light]']);
		store.adopt(null);
		await flush();
		expect(screen.getByTestId('custom-signed-out')).toHaveTextContent('Please log in');
		expect(screen.queryByText('You are signed out.')).toBeNull();
	});

	it('should show a session prop instead of the store, even without a store in context', () => {
		render(SessionView, {
			props: {
				session: { user: { name: 'Grace Hopper', email: 'grace@example.com', theme: 'dark' }, expires: EXPIRES },
				fields: FIELDS
			}
		});
		expect(screen.getByText('Grace Hopper')).toBeInTheDocument();
		expect(row('theme')).toHaveTextContent('Dark');
	});

	it('should prefer a session prop over the store in context', () => {
		setup({ session: { user: { name: 'Grace Hopper' }, expires: EXPIRES } });
		expect(screen.getByText('Grace Hopper')).toBeInTheDocument();
		expect(screen.queryByText('Ada Lovelace')).toBeNull();
	});

	it('should show a signed-out state for session={null}', () => {
		setup({ session: null });
		expect(screen.getByRole('link', { name: 'Sign in' })).toBeInTheDocument();
	});

	it('should prefer a store prop over the store in context', async () => {
		const other = createTestStore({ name: 'Grace Hopper', email: 'grace@example.com', fav_num: '1' });
		setup({ store: other.store });
		expect(screen.getByText('Grace Hopper')).toBeInTheDocument();
		const saved = other.store.update({ fav_num: '2' });
		await flush();
		expect(row('fav_num')).toHaveTextContent('2');
		expect(screen.getByRole('status')).toHaveTextContent('Saving…');
		await other.endpoint.requests[0].succeed();
		await saved;
	});

	it('should work with a store prop and no context', () => {
		const { store } = createTestStore();
		render(SessionView, { props: { store: store as never } });
		expect(screen.getByText('Ada Lovelace')).toBeInTheDocument();
	});

	it('should throw a clear error with neither a store nor a session', () => {
		expect(() => render(SessionView, { props: {} })).toThrow(/getSessionSync\(\) found no session store/);
	});

	it('should replace every text through messages', async () => {
		const messages = {
			signedOut: 'Abgemeldet.',
			signIn: 'Anmelden',
			saving: 'Speichert…',
			empty: 'leer',
			errorIntro: 'Fehler:',
			error: () => 'Sitzung voll'
		};
		const { store, endpoint } = setup({ messages }, { name: 'Ada', email: 'ada@example.com' });
		expect(row('fav_num')).toHaveTextContent('leer');
		const saved = store.update({ bio: 'x' });
		await flush();
		expect(screen.getByRole('status')).toHaveTextContent('Speichert…');
		await endpoint.requests[0].fail(413, { code: 'cookie_too_large', message: 'The session is full' });
		await saved;
		await flush();
		expect(screen.getByRole('alert')).toHaveTextContent('Fehler: Sitzung voll');
		store.adopt(null);
		await flush();
		expect(screen.getByText(/Abgemeldet\./)).toBeInTheDocument();
		expect(screen.getByRole('link', { name: 'Anmelden' })).toBeInTheDocument();
	});

	it('should put class and other attributes on the root', () => {
		const { root } = setup({ class: 'mine', id: 'who', 'aria-label': 'Your session' } as Partial<SessionViewProps>);
		expect(root).toHaveClass('session-sync-view', 'mine');
		expect(root).toHaveAttribute('id', 'who');
		expect(within(document.body).getByLabelText('Your session')).toBe(root);
	});
});
