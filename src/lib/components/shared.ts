/**
 * What `<SessionView>` and `<UserDataEditor>` share: the store lookup and their default texts.
 */
import { getSessionSync } from '../client/context.js';
import type { SessionSyncStore, SyncSession } from '../types.js';
import type { SessionViewMessages, UserDataEditorMessages } from './types.js';

/**
 * The store in context. Context can only be read while a component initialises, so this runs once;
 * when the component got a store (or a session) through its props, a missing one is not an error.
 *
 * @param optional - True when the props already give the component what it shows.
 * @returns The store in context, or `undefined` when there is none and `optional` is true.
 */
export function contextStore(optional: boolean): SessionSyncStore<SyncSession<object>> | undefined {
	try {
		return getSessionSync();
	} catch (error) {
		if (!optional) throw error;
	}
}

const message = (problem: { message: string }) => problem.message;

/** Default texts of `<SessionView>` (see `SessionViewMessages`). */
export const VIEW_MESSAGES: SessionViewMessages = {
	signedOut: 'You are signed out.',
	signIn: 'Sign in',
	saving: 'Saving…',
	empty: '—',
	yes: 'Yes',
	no: 'No',
	errorIntro: 'Your last change was not saved:',
	error: message
};

/** Default texts of `<UserDataEditor>` (see `UserDataEditorMessages`). */
export const EDITOR_MESSAGES: UserDataEditorMessages = {
	save: 'Save',
	retry: 'Try again',
	reset: 'Discard changes',
	saving: 'Saving…',
	saved: 'Saved',
	unchanged: 'No changes to save',
	errorIntro: 'Your changes were not saved.',
	error: message,
	issue: message,
	choose: '—',
	signedOut: 'Sign in to edit your profile.'
};
