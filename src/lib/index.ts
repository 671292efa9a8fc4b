/**
 * `sveltekit-session-sync`: everything that is safe in the browser — the store and its context
 * helpers, the components, the form contract and the types. Server code lives in
 * `sveltekit-session-sync/server` and is never re-exported here.
 */
export * from './client/index.js';
export * from './components/index.js';
export {
	FORM_INITIAL_INPUT,
	FORM_KINDS_INPUT,
	coerceFormValue,
	toFormValue,
	type FormControlValue,
	type FormFieldKind
} from './form.js';
export * from './types.js';
