/**
 * Props of `<SessionView>` and `<UserDataEditor>`. Each prop is documented once, here.
 */
import type { Snippet } from 'svelte';
import type { HTMLAttributes, HTMLFormAttributes } from 'svelte/elements';
import type { FormControlValue, FormFieldKind } from '../form.js';
import type { SessionSyncStore, SessionUser, SyncError, SyncIssue, SyncSession, SyncStatus } from '../types.js';

/** One choice of a `select` field: a plain string is both its value and its label. */
export type FieldOption = string | { value: string; label: string };

/** One writable field as the components show and edit it. */
export interface FieldDefinition {
	/** The key in `session.user` (and the form control's `name`). */
	name: string;
	/** What the user reads next to the control and in `<SessionView>`'s list. */
	label: string;
	/** The control that edits it; also how the value is encoded. @default 'text' */
	kind?: FormFieldKind;
	/** Choices of a `select` field. @default [] */
	options?: readonly FieldOption[];
	/** Placeholder of a text, textarea or number control; the empty choice of a select. */
	placeholder?: string;
	/** Help text under the control, tied to it with `aria-describedby`. */
	description?: string;
}

/** What a field row snippet of `<SessionView>` receives. */
export interface SessionViewFieldContext {
	field: FieldDefinition;
	/** The optimistic value in `session.user`. */
	value: unknown;
	/** The value as `<SessionView>` would print it (option label, `messages.empty` when unset). */
	text: string;
	/** True while a save that changes this field is on its way. */
	pending: boolean;
}

/** What the header snippet of `<SessionView>` receives. */
export interface SessionViewHeaderContext {
	user: SessionUser;
	session: SyncSession<object>;
	state: SyncStatus;
}

/** Every text `<SessionView>` prints. */
export interface SessionViewMessages {
	/** Shown when signed out, before the sign-in link. @default 'You are signed out.' */
	signedOut: string;
	/** Text of the sign-in link. @default 'Sign in' */
	signIn: string;
	/** Status while a save is on its way. @default 'Saving…' */
	saving: string;
	/** Printed for a field that has no value. @default '—' */
	empty: string;
	/** Printed for a checkbox field that is on. @default 'Yes' */
	yes: string;
	/** Printed for a checkbox field that is off. @default 'No' */
	no: string;
	/** First words of the alert after a failed save. @default 'Your last change was not saved:' */
	errorIntro: string;
	/** Turns a failure into the text of the alert (to translate server or network messages). @default (error) => error.message */
	error: (error: SyncError) => string;
}

/** Props of `<SessionView>`; any other attribute goes on its root `<section>`. */
export interface SessionViewProps extends Omit<HTMLAttributes<HTMLElement>, 'class'> {
	/** The store to read; by default the one from `getSessionSync()` (context). @default getSessionSync() */
	store?: SessionSyncStore<SyncSession<object>>;
	/**
	 * A session to show instead of the store's (page data, a test). `null` shows the signed-out state.
	 * Without `store`, saving and errors are then not shown. @default undefined (the store's session)
	 */
	session?: SyncSession<object> | null;
	/** The writable fields to list with their labels; without it only image, name and email show. @default [] */
	fields?: readonly FieldDefinition[];
	/** Where the sign-in link of the signed-out state points. @default '/' */
	signInHref?: string;
	/**
	 * Show the last failed save in a `role="alert"` element. Turn it off where a `<UserDataEditor>` on
	 * the same page already announces it, so screen readers hear it once. @default true
	 */
	showError?: boolean;
	/** Texts to replace, merged over the defaults. @default {} */
	messages?: Partial<SessionViewMessages>;
	/** Classes added to the root element (a string, array or object, as Svelte's `class`). */
	class?: HTMLAttributes<HTMLElement>['class'];
	/** Replaces the image, name and email block. */
	header?: Snippet<[SessionViewHeaderContext]>;
	/** Replaces one field row; render a `<div>` with a `<dt>` and a `<dd>` to stay in the `<dl>`. */
	field?: Snippet<[SessionViewFieldContext]>;
	/** Replaces the signed-out state. */
	signedOut?: Snippet;
}

/** Every text `<UserDataEditor>` prints. */
export interface UserDataEditorMessages {
	/** Submit button. @default 'Save' */
	save: string;
	/** Submit button after a failed save. @default 'Try again' */
	retry: string;
	/** Button that drops unsaved changes (shown only when there are some). @default 'Discard changes' */
	reset: string;
	/** Status while a save is on its way. @default 'Saving…' */
	saving: string;
	/** Status after a save succeeded. @default 'Saved' */
	saved: string;
	/** Status when there was nothing to save. @default 'No changes to save' */
	unchanged: string;
	/** First words of the alert after a failed save. @default 'Your changes were not saved.' */
	errorIntro: string;
	/** Turns a failure into the text of the alert. @default (error) => error.message */
	error: (error: SyncError) => string;
	/** Turns a field's issue into the text next to it. @default (issue) => issue.message */
	issue: (issue: SyncIssue, field: FieldDefinition) => string;
	/** Empty choice of a select whose value is not set (unless the field has a `placeholder`). @default '—' */
	choose: string;
	/** Shown instead of the form when signed out. @default 'Sign in to edit your profile.' */
	signedOut: string;
}

/** The part of a page's `form` (ActionData) the editor reads: what the form action returned. */
export interface UserDataEditorFormData {
	sessionSync?: {
		ok: boolean;
		error?: SyncError;
		values?: Record<string, FormControlValue>;
	};
}

/** Props of `<UserDataEditor>`; any other attribute goes on its `<form>`. */
export interface UserDataEditorProps extends Omit<HTMLFormAttributes, 'class' | 'action' | 'method' | 'onerror'> {
	/** The writable fields, one control each, in this order. */
	fields: readonly FieldDefinition[];
	/** The store to save through; by default the one from `getSessionSync()` (context). @default getSessionSync() */
	store?: SessionSyncStore<SyncSession<object>>;
	/** Where the form posts without JavaScript (the page's `sessionSync.actions`). @default '?/updateUserData' */
	action?: string;
	/** The page's `form` prop (ActionData): after a failed post without JavaScript, what was typed and the issues. @default null */
	form?: UserDataEditorFormData | null;
	/** Texts to replace, merged over the defaults. @default {} */
	messages?: Partial<UserDataEditorMessages>;
	/** Classes added to the `<form>` (a string, array or object, as Svelte's `class`). */
	class?: HTMLFormAttributes['class'];
	/** Called with the confirmed session after a save succeeded. */
	onSave?: (session: SyncSession<object>) => void;
	/** Called with the error after a save failed. */
	onError?: (error: SyncError) => void;
	/** Replaces the signed-out message (the form is not shown without a session). */
	signedOut?: Snippet;
}
