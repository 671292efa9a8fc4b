/**
 * Browser half of the kit: the session store, its context helpers and the types they use. Safe to
 * import during SSR (nothing here runs a request on the server).
 */
export { createSessionSync, DEFAULT_CHANNEL } from './create-session-sync.js';
export { getSessionSync, setSessionSync } from './context.js';
export type {
	PatchInput,
	SessionPatch,
	SessionSyncOptions,
	SessionSyncStore,
	SyncError,
	SyncInfo,
	SyncSession,
	SyncStatus,
	UpdateResult
} from '../types.js';
