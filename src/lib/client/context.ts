import { getContext, setContext } from 'svelte';
import type { SessionSyncStore, SyncSession } from '../types.js';

/** Private key: only these two functions can read or write the store in context. */
const KEY = Symbol();

/**
 * Hand a session store down to every component below this one (call it during component
 * initialisation, usually in the root `+layout.svelte`). Context is per component tree, so each
 * request on the server and each app in the browser has its own store.
 *
 * @param store - The store from `createSessionSync`.
 * @returns The same store, for chaining.
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { createSessionSync, setSessionSync } from 'sveltekit-session-sync';
 *   let { data, children } = $props();
 *   const sessionSync = setSessionSync(createSessionSync({ session: data.session }));
 * </script>
 * ```
 */
export function setSessionSync<Session extends SyncSession<object> = SyncSession>(
	store: SessionSyncStore<Session>
): SessionSyncStore<Session> {
	return setContext(KEY, store);
}

/**
 * Read the session store that an ancestor component passed to `setSessionSync` (call it during
 * component initialisation).
 *
 * @returns The store.
 * @throws Error when no ancestor called `setSessionSync`.
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { getSessionSync } from 'sveltekit-session-sync';
 *   const sessionSync = getSessionSync();
 * </script>
 *
 * <p>{$sessionSync?.user.name}</p>
 * ```
 */
export function getSessionSync<Session extends SyncSession<object> = SyncSession>(): SessionSyncStore<Session> {
	const store = getContext<SessionSyncStore<Session> | undefined>(KEY);
	if (!store) throw new Error('getSessionSync() found no session store: call setSessionSync() in a parent');
	return store;
}
