/**
 * Shared helpers of the browser suite: launch Debian's Chromium through playwright-core, sign in
 * through the demo's UI, and hold back or fail chosen responses with `page.route` (the server is always
 * the real production build that the e2e project's globalSetup started).
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	chromium,
	request as apiRequest,
	type Browser,
	type BrowserContext,
	type BrowserContextOptions,
	type Locator,
	type Page,
	type Request,
	type Route
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, vi } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/demo.js';

export const baseURL = inject('baseURL');

// A browser needs longer than vitest's default second to settle (held responses, cross-tab messages);
// checks that must be fast say so with their own `timeout`.
vi.setConfig({ expect: { poll: { timeout: 5000, interval: 50 } } });

export { CHROMIUM_PATH };

const IN_CI = process.env.CI === 'true';

/** True when the suite can run here. In CI a missing browser is never skipped: `launch()` then fails. */
export const browserAvailable = existsSync(CHROMIUM_PATH);

if (!browserAvailable && !IN_CI) warnOnce();

/**
 * `describe` for browser tests. The one and only skip of the suite: no Chromium on a developer machine
 * (never in CI, where the missing browser makes `launch()` fail loudly).
 */
export const describeE2E = describe.skipIf(!browserAvailable && !IN_CI);

/** One line per run, not one per spec file: the server URL is unique to a run, so it names the marker. */
function warnOnce() {
	const marker = join(tmpdir(), `sveltekit-session-sync-e2e-skip-${baseURL.replace(/\W+/g, '_')}`);
	try {
		closeSync(openSync(marker, 'wx'));
	} catch {
		return;
	}
	console.warn(
		`!!! e2e SKIPPED: no Chromium at ${CHROMIUM_PATH} — install it with apt-get install -y chromium (or set CHROMIUM_PATH)`
	);
}

/** Start headless Chromium. */
export async function launch(): Promise<Browser> {
	if (!browserAvailable) {
		throw new Error(
			`No Chromium at ${CHROMIUM_PATH}: the browser suite cannot run (CI=${process.env.CI ?? ''}). ` +
				'Install it with apt-get install -y chromium or set CHROMIUM_PATH.'
		);
	}
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		args: CHROMIUM_ARGS,
		headless: true
	});
}

/** What went wrong inside the pages of a context: uncaught exceptions and console errors. */
export interface PageProblems {
	errors: string[];
}

/**
 * A fresh context (own cookies, own storage) on the demo. Uncaught page exceptions are collected in
 * `problems.errors` so a test can assert that the page never threw.
 */
export async function newContext(
	browser: Browser,
	options: BrowserContextOptions = {}
): Promise<{ context: BrowserContext; problems: PageProblems }> {
	const context = await browser.newContext({ baseURL, viewport: { width: 1100, height: 800 }, ...options });
	await context.addInitScript(HYDRATION_PROBE);
	if (options.javaScriptEnabled === false) withoutJavaScript.add(context);
	context.setDefaultTimeout(10_000);
	context.setDefaultNavigationTimeout(15_000);
	const problems: PageProblems = { errors: [] };
	const watch = (page: Page) => page.on('pageerror', (error) => problems.errors.push(String(error?.stack ?? error)));
	context.pages().forEach(watch);
	context.on('page', watch);
	return { context, problems };
}

/** Demo accounts (password `demo`). */
export const ACCOUNTS = {
	ada: { name: 'Ada Lovelace', email: 'ada@example.com' },
	grace: { name: 'Grace Hopper', email: 'grace@example.com' }
} as const;

/** Sign in through the sign-in form on `/` (works with and without JavaScript) and land on `/`. */
export async function signInUI(page: Page, username: keyof typeof ACCOUNTS = 'ada', password = 'demo') {
	await page.goto('/');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	const signedIn = page.waitForResponse(
		(response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/auth/callback/credentials'
	);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await signedIn;
	await page.waitForURL((url) => url.pathname === '/');
	await page.getByText(ACCOUNTS[username].name).first().waitFor();
	await hydrated(page);
}

/**
 * Marks the page once SvelteKit's client router has started, i.e. after hydration: `start()` hydrates,
 * then `_start_router()` attaches its `submit` listener to `<html>`. Observing that listener is the only
 * instrumentation the suite adds to a page; it changes nothing the app does.
 */
const HYDRATION_PROBE = `(() => {
	const add = EventTarget.prototype.addEventListener;
	EventTarget.prototype.addEventListener = function (type, ...rest) {
		if (type === 'submit' && this === document.documentElement) window.__e2eRouterStarted = true;
		return add.call(this, type, ...rest);
	};
})();`;

/** Wait until SvelteKit has hydrated the page (no-op without JavaScript). */
export async function hydrated(page: Page) {
	if (!(await javaScriptEnabled(page))) return;
	await page.waitForFunction(() => (window as { __e2eRouterStarted?: boolean }).__e2eRouterStarted === true);
}

/** Contexts created with `javaScriptEnabled: false`. */
const withoutJavaScript = new WeakSet<BrowserContext>();

async function javaScriptEnabled(page: Page): Promise<boolean> {
	return !withoutJavaScript.has(page.context());
}

/** `page.goto` plus waiting for hydration. */
export async function open(page: Page, path: string) {
	await page.goto(path);
	await hydrated(page);
}

/** The editor's controls and button, by their accessible names (design: fixed labels). */
export function editor(page: Page) {
	return {
		favNum: page.getByLabel('Favourite number', { exact: true }),
		bio: page.getByLabel('Bio', { exact: true }),
		theme: page.getByLabel('Theme', { exact: true }),
		/** "Save", or "Try again" after a failed save. */
		save: page.getByRole('button', { name: /^(Save|Try again|Retry)$/ })
	};
}

/** The texts of the elements an input's `aria-describedby` points to, by id. */
export async function describedBy(control: Locator): Promise<Record<string, string>> {
	return control.evaluate((element) => {
		const texts: Record<string, string> = {};
		for (const id of (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)) {
			texts[id] = document.getElementById(id)?.textContent?.trim() ?? '';
		}
		return texts;
	});
}

/** `<SessionView>` on the demo's `/`: the "Session" card. */
export function sessionView(page: Page): Locator {
	return page.getByRole('region', { name: 'Session', exact: true });
}

/**
 * The value a `<dl>` shows for a field label: `<SessionView>` on `/` and the profile page on
 * `/profile` both list fields as `<dt>label</dt><dd>value</dd>`.
 */
export function shownValue(scope: Page | Locator, label: string): Locator {
	return scope
		.locator('dt')
		.filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) })
		.locator('xpath=following-sibling::dd[1]');
}

function escapeRegExp(text: string) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Update requests of the store (and of nothing else). */
export const UPDATE_URL = '**/api/update-user-data?*';

/** A response held back by `holdRoute`. */
export interface HeldRoute {
	/** Resolves with the first held request once its real response has come back from the server. */
	readonly arrived: Promise<Request>;
	/** Requests intercepted so far (held or passed through). */
	readonly requests: Request[];
	/** Time line of the held requests: when each went to the server and when the page got its response. */
	readonly log: { url: string; sent: number; fetched: number; delivered?: number }[];
	/** Let every held response (and all later ones) through. */
	release(): void;
	/** Stop intercepting (held responses are released first). */
	dispose(): Promise<void>;
}

/**
 * Hold back the responses to requests matching `url`. Each request goes to the real server at once,
 * with the cookies the browser holds at that moment, but the page gets the response — status, body and
 * Set-Cookie headers alike — only after `release()` (or `delayMs` after it came back). The request is
 * made outside the browser's cookie jar, so a cookie the response sets lands in the browser when the
 * response is delivered, exactly as with a slow network. With `times`, only the first `times` matching
 * requests are held; later ones pass through untouched.
 */
export async function holdRoute(
	target: Page | BrowserContext,
	url: string | RegExp | ((url: URL) => boolean),
	options: { times?: number; delayMs?: number; filter?: (request: Request) => boolean } = {}
): Promise<HeldRoute> {
	const context = 'context' in target ? target.context() : target;
	let open!: () => void;
	const gate = new Promise<void>((resolve) => (open = resolve));
	let arrive!: (request: Request) => void;
	const arrived = new Promise<Request>((resolve) => (arrive = resolve));
	const requests: Request[] = [];
	const log: HeldRoute['log'] = [];
	let held = 0;
	const handler = async (route: Route) => {
		const request = route.request();
		if (options.filter && !options.filter(request)) return route.fallback();
		requests.push(request);
		if (options.times !== undefined && held >= options.times) return route.fallback();
		held += 1;
		const entry: HeldRoute['log'][number] = { url: request.url(), sent: Date.now(), fetched: 0 };
		log.push(entry);
		let answer: { status: number; headers: { name: string; value: string }[]; body: Buffer };
		try {
			answer = await fetchOutsideJar(context, request);
		} catch {
			// The page went away (closed, navigated) before the real response came.
			return route.abort().catch(() => {});
		}
		entry.fetched = Date.now();
		arrive(request);
		if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
		else await gate;
		entry.delivered = Date.now();
		await route
			.fulfill({ status: answer.status, headers: toHeaderObject(answer.headers), body: answer.body })
			.catch(() => {});
	};
	await target.route(url, handler);
	return {
		arrived,
		requests,
		log,
		release: () => open(),
		async dispose() {
			open();
			await target.unroute(url, handler);
		}
	};
}

/** Send `request` to the server with the browser's current cookies, without touching the browser's jar. */
async function fetchOutsideJar(context: BrowserContext, request: Request) {
	const api = await apiRequest.newContext();
	try {
		const cookies = await context.cookies(request.url());
		const headers: Record<string, string> = { ...request.headers() };
		if (cookies.length > 0) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
		const response = await api.fetch(request.url(), {
			method: request.method(),
			headers,
			data: request.postDataBuffer() ?? undefined,
			maxRedirects: 0,
			failOnStatusCode: false
		});
		return { status: response.status(), headers: response.headersArray(), body: await response.body() };
	} finally {
		await api.dispose();
	}
}

/** Header pairs → the object `route.fulfill` takes; several Set-Cookie lines are joined with newlines. */
function toHeaderObject(pairs: { name: string; value: string }[]): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const { name, value } of pairs) {
		const key = name.toLowerCase();
		if (key === 'content-length' || key === 'content-encoding' || key === 'transfer-encoding') continue;
		headers[key] = key in headers ? `${headers[key]}${key === 'set-cookie' ? '\n' : ', '}${value}` : value;
	}
	return headers;
}

/** Answer requests matching `url` with a real-looking server failure, or abort them, without reaching the server. */
export async function failRoute(
	page: Page | BrowserContext,
	url: string | RegExp,
	failure: { status: number } | 'abort'
) {
	const handler = async (route: Route) => {
		if (failure === 'abort') return route.abort('failed');
		return route.fulfill({
			status: failure.status,
			contentType: 'application/json',
			body: JSON.stringify({ error: { code: 'server_error', message: 'The session could not be updated' } })
		});
	};
	await page.route(url, handler);
	return { dispose: () => page.unroute(url, handler) };
}

/** The fields as `/profile` renders them from page data on the server (a fresh page in `context`). */
export async function profileValues(context: BrowserContext) {
	const page = await context.newPage();
	try {
		await page.goto('/profile');
		return {
			fav_num: await textOf(shownValue(page, 'Favourite number')),
			bio: await textOf(shownValue(page, 'Bio')),
			theme: await textOf(shownValue(page, 'Theme'))
		};
	} finally {
		await page.close();
	}
}

/** A random favourite number, so that a value on the page can only come from this test. */
export function uniqueNumber(): string {
	return String(Math.floor(100_000 + Math.random() * 899_999));
}

/** The trimmed text of the first match, or `null` when there is none (never waits). */
export async function textOf(locator: Locator): Promise<string | null> {
	if ((await locator.count()) === 0) return null;
	return ((await locator.first().textContent({ timeout: 1000 })) ?? '').trim();
}

/** Whether `locator` is the focused element. */
export function isFocused(locator: Locator): Promise<boolean> {
	return locator.evaluate((element) => element === document.activeElement);
}

/** Launch one browser for the spec file (each test still gets its own context). */
export function useBrowser(): () => Browser {
	let browser: Browser | undefined;
	beforeAll(async () => {
		browser = await launch();
	}, 30_000);
	afterAll(async () => {
		await browser?.close();
	});
	return () => {
		if (!browser) throw new Error('the browser did not start');
		return browser;
	};
}

/** Run `body` in a fresh context, close it afterwards, and fail on any uncaught exception in its pages. */
export async function inContext(
	browser: Browser,
	body: (context: BrowserContext) => Promise<void>,
	options: BrowserContextOptions = {}
): Promise<void> {
	const { context, problems } = await newContext(browser, options);
	try {
		await body(context);
		expect(problems.errors, 'uncaught exceptions in the page').toEqual([]);
	} finally {
		await context.close();
	}
}

/** Press Tab until `target` has focus (at most `max` times); fails when it never does. */
export async function tabTo(page: Page, target: Locator, max = 30): Promise<number> {
	for (let presses = 0; presses < max; presses += 1) {
		if (await isFocused(target)) return presses;
		await page.keyboard.press('Tab');
	}
	if (await isFocused(target)) return max;
	throw new Error(`Tab never reached ${target} in ${max} presses`);
}

/** Wait for the next response of the update endpoint and return its status. */
export async function nextUpdateResponse(page: Page): Promise<number> {
	const response = await page.waitForResponse((r) => r.url().includes('/api/update-user-data'));
	return response.status();
}
