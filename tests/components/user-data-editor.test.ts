import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { FORM_INITIAL_INPUT, FORM_KINDS_INPUT, SessionView, UserDataEditor } from '../../src/lib/index.js';
import type { FieldDefinition, UserDataEditorProps } from '../../src/lib/index.js';
import { FORM_INITIAL_INPUT as SERVER_INITIAL, FORM_KINDS_INPUT as SERVER_KINDS } from '../../src/lib/server/form-action.js';
import type { TestUser } from '../unit/fake-endpoint.js';
import EditorSignedOut from './fixtures/EditorSignedOut.svelte';
import { ADA, FIELDS, createTestStore, flush, renderInContext } from './helpers.js';

function setup(props: Partial<UserDataEditorProps> = {}, user: TestUser | null = ADA) {
	const { endpoint, store } = createTestStore(user);
	const onSave = vi.fn();
	const onError = vi.fn();
	const result = renderInContext(UserDataEditor, store, { fields: FIELDS, onSave, onError, ...props });
	const form = result.container.querySelector('form')!;
	return { endpoint, store, form, onSave, onError, ...result };
}

function control(label: string) {
	return screen.getByLabelText(label) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
}

async function type(label: string, value: string) {
	const element = control(label);
	element.value = value;
	if (element instanceof HTMLSelectElement) await fireEvent.change(element);
	else await fireEvent.input(element);
}

async function save(name = 'Save') {
	await fireEvent.click(screen.getByRole('button', { name }));
	await flush();
}

const BIO_TOO_LONG = {
	code: 'invalid_patch',
	message: 'Some fields need attention',
	issues: [{ path: ['bio'], message: 'At most 280 characters' }]
};

describe('<UserDataEditor>: the form', () => {
	it('should render a POST form for the form action, one labelled control per field and a Save button', () => {
		const { form } = setup();
		expect(form).toHaveAttribute('method', 'POST');
		expect(form).toHaveAttribute('action', '?/updateUserData');
		expect(control('Favourite number')).toHaveValue('7');
		expect(control('Favourite number')).toHaveAttribute('name', 'fav_num');
		expect(control('Bio').tagName).toBe('TEXTAREA');
		expect(control('Bio')).toHaveValue('Analytical engines');
		expect(control('Bio')).toHaveAccessibleDescription('At most 280 characters.');
		expect(control('Theme').tagName).toBe('SELECT');
		expect(control('Theme')).toHaveValue('light');
		expect(screen.getByRole('button', { name: 'Save' })).toHaveAttribute('type', 'submit');
		expect(screen.queryByRole('button', { name: 'Discard changes' })).toBeNull();
	});

	it('should carry the kinds and initial values for the no-JavaScript action', () => {
		const { form } = setup();
		expect(FORM_KINDS_INPUT).toBe(SERVER_KINDS);
		expect(FORM_INITIAL_INPUT).toBe(SERVER_INITIAL);
		const data = new FormData(form);
		expect(JSON.parse(String(data.get(FORM_KINDS_INPUT)))).toEqual({ fav_num: 'text', bio: 'textarea', theme: 'select' });
		expect(JSON.parse(String(data.get(FORM_INITIAL_INPUT)))).toEqual({
			fav_num: '7',
			bio: 'Analytical engines',
			theme: 'light'
		});
		expect(data.get('fav_num')).toBe('7');
		expect(data.get('theme')).toBe('light');
	});

	it('should offer an empty choice only when a select has no value yet', () => {
		setup({}, { name: 'Ada', email: 'ada@example.com' });
		const select = control('Theme') as HTMLSelectElement;
		expect(select).toHaveValue('');
		expect([...select.options].map((option) => option.value)).toEqual(['', 'light', 'dark', 'system']);
	});

	it('should post to another action when told to', () => {
		const { form } = setup({ action: '/settings?/save' });
		expect(form).toHaveAttribute('action', '/settings?/save');
	});

	it('should put class and other attributes on the form', () => {
		const { form } = setup({ class: 'mine', id: 'profile-form' } as Partial<UserDataEditorProps>);
		expect(form).toHaveClass('session-sync-editor', 'mine');
		expect(form).toHaveAttribute('id', 'profile-form');
		expect(form).toHaveAttribute('data-state', 'idle');
	});

	it('should show the signed-out message, or the signedOut snippet, instead of the form', () => {
		setup({}, null);
		expect(document.querySelector('form')).toBeNull();
		expect(screen.getByText('Sign in to edit your profile.')).toBeInTheDocument();
		document.body.innerHTML = '';
		const { store } = createTestStore(null);
		render(EditorSignedOut, { props: { store: store as never, fields: FIELDS } });
		expect(screen.getByTestId('editor-signed-out')).toHaveTextContent('Log in first');
	});
});

describe('<UserDataEditor>: saving with JavaScript', () => {
	it('should send only the fields the user changed, optimistically, and call onSave', async () => {
		const { endpoint, store, form, onSave } = setup();
		await type('Favourite number', '42');
		expect(form).toHaveAttribute('data-dirty', 'true');
		await save();
		expect(endpoint.requests).toHaveLength(1);
		expect(endpoint.requests[0].body).toEqual({ fav_num: '42' });
		// Optimistic: the store has the value before the server answers.
		expect(store.current?.user.fav_num).toBe('42');
		expect(form).toHaveAttribute('data-state', 'saving');
		expect(screen.getByRole('status')).toHaveTextContent('Saving…');
		await endpoint.requests[0].succeed();
		await flush();
		expect(onSave).toHaveBeenCalledTimes(1);
		expect(onSave.mock.calls[0][0].user.fav_num).toBe('42');
		expect(screen.getByRole('status')).toHaveTextContent('Saved');
		expect(form).toHaveAttribute('data-state', 'idle');
		expect(form).toHaveAttribute('data-dirty', 'false');
		expect(JSON.parse(String(new FormData(form).get(FORM_INITIAL_INPUT))).fav_num).toBe('42');
	});

	it('should send nothing when nothing changed', async () => {
		const { endpoint } = setup();
		await type('Bio', 'Analytical engines');
		await save();
		expect(endpoint.requests).toHaveLength(0);
		expect(screen.getByRole('status')).toHaveTextContent('No changes to save');
	});

	it('should turn an emptied field into null, a number field into a number and a checkbox into a boolean', async () => {
		const fields: FieldDefinition[] = [
			{ name: 'bio', label: 'Bio', kind: 'textarea' },
			{ name: 'age', label: 'Age', kind: 'number' },
			{ name: 'size', label: 'Size', kind: 'number' },
			{ name: 'news', label: 'Newsletter', kind: 'checkbox' }
		];
		const { endpoint } = setup({ fields }, { name: 'Ada', bio: 'hi', age: 36, size: 3 } as TestUser);
		expect(control('Age')).toHaveValue(36);
		expect(control('Newsletter')).not.toBeChecked();
		await type('Bio', '');
		await type('Age', '37');
		await type('Size', '');
		await fireEvent.click(control('Newsletter'));
		await save();
		expect(endpoint.requests[0].body).toEqual({ bio: null, age: 37, size: null, news: true });
	});

	it('should keep the form usable while saving', async () => {
		const { endpoint } = setup();
		await type('Favourite number', '42');
		await save();
		expect(control('Bio')).toBeEnabled();
		expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
		await type('Bio', 'typed while saving');
		await endpoint.requests[0].succeed();
		await flush();
		// What was typed meanwhile stays, and is the only change left to save.
		expect(control('Bio')).toHaveValue('typed while saving');
		await save();
		expect(endpoint.requests[1].body).toEqual({ bio: 'typed while saving' });
	});
});

describe('<UserDataEditor>: failures', () => {
	it('should show a field issue next to its control and focus the first invalid one', async () => {
		const { endpoint, form } = setup();
		await type('Favourite number', '8');
		await type('Bio', 'x'.repeat(300));
		await save();
		await endpoint.requests[0].fail(422, BIO_TOO_LONG);
		await flush();

		const bio = control('Bio');
		expect(bio).toHaveAttribute('aria-invalid', 'true');
		const ids = bio.getAttribute('aria-describedby')!.split(' ');
		const issue = ids.map((id) => document.getElementById(id)).find((el) => el?.textContent === 'At most 280 characters');
		expect(issue).toBeTruthy();
		expect(bio).toHaveAccessibleDescription(/At most 280 characters$/);
		expect(control('Favourite number')).not.toHaveAttribute('aria-invalid');
		expect(document.activeElement).toBe(bio);
		expect(screen.getByRole('alert')).toHaveTextContent('Your changes were not saved. Some fields need attention');
		expect(form).toHaveAttribute('data-state', 'error');
	});

	it('should keep exactly what the user typed after a failure, call onError and offer to try again', async () => {
		const { endpoint, store, onError } = setup();
		await type('Favourite number', '8');
		await type('Bio', 'too long');
		await save();
		await endpoint.requests[0].fail(422, BIO_TOO_LONG);
		await flush();
		// The store rolled back; the form did not.
		expect(store.current?.user.bio).toBe('Analytical engines');
		expect(control('Favourite number')).toHaveValue('8');
		expect(control('Bio')).toHaveValue('too long');
		expect(onError).toHaveBeenCalledWith(expect.objectContaining({ status: 422, code: 'invalid_patch' }));
		expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
	});

	it('should keep the draft after a network error and succeed on retry', async () => {
		const { endpoint, onSave, form } = setup();
		await type('Bio', 'second try');
		await save();
		await endpoint.requests[0].networkError();
		await flush();
		expect(control('Bio')).toHaveValue('second try');
		expect(screen.getByRole('alert')).toHaveTextContent(/not saved/);

		await save('Try again');
		expect(endpoint.requests[1].body).toEqual({ bio: 'second try' });
		await endpoint.requests[1].succeed();
		await flush();
		expect(onSave).toHaveBeenCalledTimes(1);
		expect(screen.queryByRole('alert')).toBeNull();
		expect(screen.getByRole('button', { name: 'Save' })).toBeInTheDocument();
		expect(control('Bio')).toHaveValue('second try');
		expect(control('Bio')).not.toHaveAttribute('aria-invalid');
		expect(form).toHaveAttribute('data-state', 'idle');
	});

	it('should clear a field issue once a retry succeeds', async () => {
		const { endpoint } = setup();
		await type('Bio', 'x'.repeat(300));
		await save();
		await endpoint.requests[0].fail(422, BIO_TOO_LONG);
		await flush();
		await type('Bio', 'short');
		await save('Try again');
		expect(endpoint.requests[1].body).toEqual({ bio: 'short' });
		await endpoint.requests[1].succeed();
		await flush();
		expect(control('Bio')).not.toHaveAttribute('aria-invalid');
		expect(screen.queryByText('At most 280 characters')).toBeNull();
	});
});

describe('<UserDataEditor>: drafts and the store', () => {
	it('should never overwrite a field being edited, while clean fields follow the store', async () => {
		const { store, endpoint } = setup();
		await type('Bio', 'my draft');
		// Page data (an invalidation) or another tab brings new values for every field.
		store.adopt({
			...endpoint.session(),
			user: { ...ADA, fav_num: '100', bio: 'from elsewhere', theme: 'dark' },
			sync: { id: 'sid-1', version: 5 }
		});
		await flush();
		expect(control('Bio')).toHaveValue('my draft');
		expect(control('Favourite number')).toHaveValue('100');
		expect(control('Theme')).toHaveValue('dark');

		// Saving sends the draft only; the other fields were not touched here.
		await save();
		expect(endpoint.requests[0].body).toEqual({ bio: 'my draft' });
	});

	it('should let a store update change a field again after its draft was saved', async () => {
		const { store, endpoint } = setup();
		await type('Favourite number', '1');
		await save();
		await endpoint.requests[0].succeed();
		await flush();
		store.adopt({ ...endpoint.session(), user: { ...endpoint.cookie.user, fav_num: '2' }, sync: { id: 'sid-1', version: 9 } });
		await flush();
		expect(control('Favourite number')).toHaveValue('2');
	});

	it('should discard the drafts with the reset button', async () => {
		const { endpoint } = setup();
		await type('Bio', 'never mind');
		await fireEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
		await flush();
		expect(control('Bio')).toHaveValue('Analytical engines');
		expect(screen.queryByRole('button', { name: 'Discard changes' })).toBeNull();
		await save();
		expect(endpoint.requests).toHaveLength(0);
	});

	it('should agree with <SessionView> on the optimistic value and on the rollback', async () => {
		const { store, endpoint } = createTestStore();
		renderInContext(SessionView, store, { fields: FIELDS });
		renderInContext(UserDataEditor, store, { fields: FIELDS });
		await type('Favourite number', '42');
		await save();
		expect(document.querySelector('[data-field="fav_num"] dd')).toHaveTextContent('42');
		await endpoint.requests[0].fail(500, { code: 'server_error', message: 'Boom' });
		await flush();
		expect(document.querySelector('[data-field="fav_num"] dd')).toHaveTextContent('7');
		expect(control('Favourite number')).toHaveValue('42');
	});

	it('should save through a store prop instead of the one in context', async () => {
		const other = createTestStore({ name: 'Grace', email: 'grace@example.com', fav_num: '1' });
		const { endpoint } = setup({ store: other.store });
		expect(control('Favourite number')).toHaveValue('1');
		await type('Favourite number', '2');
		await save();
		expect(other.endpoint.requests[0].body).toEqual({ fav_num: '2' });
		expect(endpoint.requests).toHaveLength(0);
	});

	it('should work with a store prop and no context', async () => {
		const { store, endpoint } = createTestStore();
		render(UserDataEditor, { props: { store: store as never, fields: FIELDS } });
		await type('Theme', 'dark');
		await save();
		expect(endpoint.requests[0].body).toEqual({ theme: 'dark' });
	});
});

describe('<UserDataEditor>: without JavaScript and texts', () => {
	const failedPost = {
		sessionSync: {
			ok: false,
			error: { status: 422, ...BIO_TOO_LONG },
			values: { fav_num: '8', bio: 'x'.repeat(290), theme: 'dark' }
		}
	};

	it('should show what a failed no-JavaScript post sent back, with its field issues', async () => {
		const { form } = setup({ form: failedPost });
		expect(control('Favourite number')).toHaveValue('8');
		expect(control('Bio')).toHaveValue('x'.repeat(290));
		expect(control('Theme')).toHaveValue('dark');
		expect(control('Bio')).toHaveAttribute('aria-invalid', 'true');
		expect(control('Bio')).toHaveAccessibleDescription(/At most 280 characters$/);
		expect(screen.getByRole('alert')).toHaveTextContent('Some fields need attention');
		expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
		expect(form).toHaveAttribute('data-state', 'error');
		// The action compares with the values the page was rendered from, not with what was typed.
		expect(JSON.parse(String(new FormData(form).get(FORM_INITIAL_INPUT))).bio).toBe('Analytical engines');
		await flush();
		expect(document.activeElement).toBe(control('Bio'));
	});

	it('should save what a failed no-JavaScript post kept, once JavaScript runs', async () => {
		const { endpoint } = setup({ form: failedPost });
		await type('Bio', 'short now');
		await save('Try again');
		expect(endpoint.requests[0].body).toEqual({ fav_num: '8', bio: 'short now', theme: 'dark' });
		await endpoint.requests[0].succeed();
		await flush();
		expect(screen.queryByRole('alert')).toBeNull();
		expect(control('Bio')).not.toHaveAttribute('aria-invalid');
		expect(control('Favourite number')).toHaveValue('8');
	});

	it('should ignore a form result that is not a failure of this action', () => {
		setup({ form: { sessionSync: { ok: true } } });
		expect(screen.queryByRole('alert')).toBeNull();
		expect(control('Bio')).toHaveValue('Analytical engines');
	});

	it('should replace every text through messages', async () => {
		const messages = {
			save: 'Speichern',
			retry: 'Nochmal',
			saving: 'Speichert…',
			saved: 'Gespeichert',
			errorIntro: 'Nicht gespeichert.',
			error: () => 'Bitte prüfen',
			issue: () => 'Höchstens 280 Zeichen'
		};
		const { endpoint } = setup({ messages });
		await type('Bio', 'x'.repeat(300));
		await save('Speichern');
		expect(screen.getByRole('status')).toHaveTextContent('Speichert…');
		await endpoint.requests[0].fail(422, BIO_TOO_LONG);
		await flush();
		expect(screen.getByRole('alert')).toHaveTextContent('Nicht gespeichert. Bitte prüfen');
		expect(screen.getByText('Höchstens 280 Zeichen')).toBeInTheDocument();
		await type('Bio', 'ok');
		await save('Nochmal');
		await endpoint.requests[1].succeed();
		await flush();
		expect(screen.getByRole('status')).toHaveTextContent('Gespeichert');
		expect(screen.getByRole('button', { name: 'Speichern' })).toBeInTheDocument();
	});
});
