/** The kit's components and their prop types. */
export { default as SessionView } from './SessionView.svelte';
export { default as UserDataEditor } from './UserDataEditor.svelte';
export type * from './types.js';
