/**
 * Tails of the in-tab fallback queue, one per lock name. They hold only promises of work, never user
 * data, so sharing them across stores of one page is safe; on the server nothing ever runs here
 * (`update()` refuses to run during SSR).
 */
const tails = new Map<string, Promise<unknown>>();

/** The part of the Web Locks `LockManager` that the kit uses. */
export interface LockRequester {
	request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The browser's Web Locks manager when it has one (secure contexts only; Node 20 has none). */
function webLocks(): LockRequester | undefined {
	if (typeof navigator === 'undefined') return undefined;
	const locks = (navigator as Navigator & { locks?: LockRequester }).locks;
	return locks && typeof locks.request === 'function' ? locks : undefined;
}

/**
 * Run `task` while holding the exclusive lock `name`: across all tabs of this browser through Web Locks
 * (`navigator.locks.request`), or, where they are missing, across the stores of this tab through a
 * promise chain. Each response of the update endpoint replaces the whole session cookie, so two updates
 * in flight at once would lose one of them.
 *
 * @param name - The lock name; every tab that writes the same cookie must use the same one.
 * @param task - The work to do while holding the lock; the lock is released when it settles.
 * @returns What `task` resolves to (or its rejection).
 * @example
 * ```ts
 * const result = await runExclusive('sveltekit-session-sync:/api/update-user-data', () => send(patch));
 * ```
 */
export function runExclusive<T>(name: string, task: () => Promise<T>): Promise<T> {
	const locks = webLocks();
	if (locks) {
		let started = false;
		const run = () => {
			started = true;
			return task();
		};
		try {
			return locks.request(name, run).catch((error: unknown) => {
				// A lock manager that refuses (e.g. a SecurityError in an opaque origin) must not
				// lose the update: fall back to the in-tab queue. Errors from `task` itself pass on.
				if (started) throw error;
				return runInTab(name, task);
			});
		} catch {
			return runInTab(name, task);
		}
	}
	return runInTab(name, task);
}

/** Serialise `task` behind everything queued under `name` in this tab. */
function runInTab<T>(name: string, task: () => Promise<T>): Promise<T> {
	const previous = tails.get(name);
	const result = previous ? previous.then(task, task) : task();
	const tail = result.then(
		() => undefined,
		() => undefined
	);
	tails.set(name, tail);
	void tail.then(() => {
		if (tails.get(name) === tail) tails.delete(name);
	});
	return result;
}
