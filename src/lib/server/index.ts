/**
 * Server entry of sveltekit-session-sync: `defineSessionSync` and its types. Import it only from
 * server code (`src/auth.ts`, `+server.ts`, `+layout.server.ts`); it never belongs in a client bundle.
 */
export { defineSessionSync } from './define-session-sync.js';
export type {
	AppCallbacks,
	DefineSessionSyncOptions,
	FormAction,
	InferSessionUser,
	SessionSync
} from './define-session-sync.js';
export type { FormFieldKind, SessionSyncActionData } from './form-action.js';
export { FORM_INITIAL_INPUT, FORM_KINDS_INPUT } from './form-action.js';
export type { FieldSchemas } from './validate.js';
export { RESERVED_CLAIMS } from './validate.js';
export type * from '../types.js';
