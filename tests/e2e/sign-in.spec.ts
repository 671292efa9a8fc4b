import { expect, it } from 'vitest';
import { describeE2E, editor, hydrated, inContext, open, sessionView, shownValue, signInUI, textOf, useBrowser } from './helpers.js';

describeE2E('signing in and out', () => {
	const browser = useBrowser();

	it('should sign in through the form as ada and show Ada Lovelace in <SessionView>', async () => {
		await inContext(browser(), async (context) => {
			const page = await context.newPage();
			await open(page, '/');
			// Signed out: the sign-in form, no editor.
			await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
			expect(await editor(page).favNum.count()).toBe(0);

			await signInUI(page, 'ada');
			const view = sessionView(page);
			await expect.poll(() => textOf(view)).toContain('Ada Lovelace');
			expect(await textOf(view)).toContain('ada@example.com');
			// The writable fields are listed (empty for a fresh session) and the editor is there.
			expect(await textOf(shownValue(page, 'Favourite number'))).toBe('—');
			expect(await editor(page).favNum.isVisible()).toBe(true);
			// Server-only claims never reach the page.
			const html = await page.content();
			expect(html).not.toContain('access_token');
			expect(html).not.toContain('"member"');
		});
	});

	it('should not sign in with a wrong password, and say so', async () => {
		await inContext(browser(), async (context) => {
			const page = await context.newPage();
			await open(page, '/');
			await page.getByLabel('Username').fill('ada');
			await page.getByLabel('Password').fill('wrong');
			await page.getByRole('button', { name: 'Sign in' }).click();
			await page.waitForLoadState('load');
			await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password.');
			await open(page, '/');
			expect(await page.getByText('Ada Lovelace').count()).toBe(0);
			expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
		});
	});

	it('should show the other tab signed out without a reload after a sign-out in one tab', async () => {
		await inContext(browser(), async (context) => {
			const first = await context.newPage();
			await signInUI(first, 'ada');
			const second = await context.newPage();
			await open(second, '/');
			await expect.poll(() => textOf(sessionView(second))).toContain('Ada Lovelace');
			let secondReloaded = false;
			second.on('framenavigated', (frame) => {
				if (frame === second.mainFrame()) secondReloaded = true;
			});

			await first.getByRole('button', { name: 'Sign out' }).click();
			await first.waitForURL((url) => url.pathname === '/');
			await hydrated(first);
			await expect.poll(() => first.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);

			// The other tab was never focused, reloaded or navigated: the store heard it from the first tab.
			await expect.poll(() => second.getByText('Ada Lovelace').count(), { timeout: 5000 }).toBe(0);
			expect(await editor(second).favNum.count()).toBe(0);
			expect(await second.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
			expect(secondReloaded).toBe(false);

			// And the server agrees: a fresh page is signed out too.
			const third = await context.newPage();
			await open(third, '/');
			expect(await third.getByText('Ada Lovelace').count()).toBe(0);
		});
	});
});
