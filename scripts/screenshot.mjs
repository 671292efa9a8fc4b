#!/usr/bin/env node
/**
 * Take docs/screenshot.png of the demo, signed in as ada with a few fields saved.
 *
 *   npm run build && node scripts/screenshot.mjs [output.png]
 *
 * Starts the production build (`node build`) on a free 127.0.0.1 port with a throw-away AUTH_SECRET,
 * drives Chromium through playwright-core (CHROMIUM_PATH, default /usr/bin/chromium), and stops the
 * server again. Nothing is mocked: the values are saved through the demo's editor.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, startDemo } from './demo.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const output = resolve(root, process.argv[2] ?? 'docs/screenshot.png');
const executablePath = CHROMIUM_PATH;

if (!existsSync(resolve(root, 'build/index.js'))) fail('build/index.js is missing: run `npm run build` first');
if (!existsSync(executablePath)) fail(`no Chromium at ${executablePath} — install it with apt-get install -y chromium`);

function fail(message) {
	console.error(`screenshot: ${message}`);
	process.exit(1);
}

const server = await startDemo({ env: { AUTH_SECRET: randomBytes(33).toString('base64') } });
const browser = await chromium.launch({
	executablePath,
	headless: true,
	args: CHROMIUM_ARGS
});
try {
	const context = await browser.newContext({
		baseURL: server.url,
		viewport: { width: 1100, height: 800 },
		colorScheme: 'light'
	});
	context.setDefaultTimeout(10_000);
	const page = await context.newPage();
	await page.goto('/');
	await page.getByLabel('Username').fill('ada');
	await page.getByLabel('Password').fill('demo');
	await page.getByRole('button', { name: 'Sign in' }).click();
	const view = page.getByRole('region', { name: 'Session', exact: true });
	await view.getByText('Ada Lovelace').waitFor();
	// Wait for hydration so the save goes through the store (optimistic), not the no-JS form post.
	await page.waitForLoadState('networkidle');

	await page.getByLabel('Favourite number', { exact: true }).fill('1815');
	await page.getByLabel('Bio', { exact: true }).fill('Wrote the first published algorithm for the Analytical Engine.');
	await page.getByLabel('Theme', { exact: true }).selectOption('light');
	const saved = page.waitForResponse((response) => response.url().includes('/api/update-user-data'));
	await page.getByRole('button', { name: 'Save' }).click();
	const response = await saved;
	if (response.status() !== 200) throw new Error(`the save answered ${response.status()}`);
	await view.locator('dd', { hasText: '1815' }).waitFor();
	await page.waitForLoadState('networkidle');
	await page.mouse.move(0, 0);

	mkdirSync(dirname(output), { recursive: true });
	await page.screenshot({ path: output });
	console.log(`screenshot: wrote ${output}`);
} finally {
	await browser.close();
	await server.stop();
}
