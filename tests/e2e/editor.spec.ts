import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
	UPDATE_URL,
	describeE2E,
	describedBy,
	editor,
	failRoute,
	holdRoute,
	hydrated,
	inContext,
	isFocused,
	nextUpdateResponse,
	profileValues,
	sessionView,
	shownValue,
	signInUI,
	tabTo,
	textOf,
	uniqueNumber,
	useBrowser
} from './helpers.js';

/** Save `fav_num` for real and wait until the page shows it as confirmed. */
async function saveFavNum(page: Page, value: string) {
	const { favNum, save } = editor(page);
	await favNum.fill(value);
	const answered = nextUpdateResponse(page);
	await save.click();
	expect(await answered).toBe(200);
	await expect.poll(() => textOf(shownValue(sessionView(page), 'Favourite number'))).toBe(value);
}

describeE2E('editing the session in the page', () => {
	const browser = useBrowser();

	it('should show a saved value at once (optimistic), before the server answers, and keep it after the answer, a reload and a navigation', async () => {
		await inContext(browser(), async (context) => {
			const page = await context.newPage();
			await signInUI(page, 'ada');
			const held = await holdRoute(page, UPDATE_URL, { delayMs: 1000 });
			let answered = false;
			page.on('response', (response) => {
				if (response.url().includes('/api/update-user-data')) answered = true;
			});
			const value = uniqueNumber();
			const { favNum, save } = editor(page);
			const shown = shownValue(sessionView(page), 'Favourite number');
			expect(await textOf(shown)).toBe('—');

			await favNum.fill(value);
			await save.click();
			await expect.poll(() => textOf(shown), { timeout: 800, interval: 20 }).toBe(value);
			// The server has answered (held.arrived) but the page has not got the answer yet.
			await held.arrived;
			expect(answered).toBe(false);
			expect(await textOf(sessionView(page).getByRole('status'))).toMatch(/sav/i);

			await expect.poll(() => answered, { timeout: 5000 }).toBe(true);
			expect(held.log[0].delivered! - held.log[0].fetched).toBeGreaterThanOrEqual(900);
			// Only the changed field went to the server.
			expect(JSON.parse(held.requests[0].postData() ?? 'null')).toStrictEqual({ fav_num: value });
			await expect.poll(() => textOf(sessionView(page).getByRole('status'))).toBe('');
			expect(await textOf(shown)).toBe(value);
			expect(await page.getByRole('alert').count()).toBe(0);

			await page.reload();
			await hydrated(page);
			expect(await textOf(shownValue(sessionView(page), 'Favourite number'))).toBe(value);
			expect(await editor(page).favNum.inputValue()).toBe(value);

			// Client-side navigation to /profile, which renders page data.
			await page.getByRole('link', { name: 'Profile' }).click();
			await page.waitForURL((url) => url.pathname === '/profile');
			await expect.poll(() => textOf(shownValue(page, 'Favourite number'))).toBe(value);
			expect((await profileValues(context)).fav_num).toBe(value);
		});
	});

	for (const failure of [{ status: 500 }, 'abort'] as const) {
		const name = failure === 'abort' ? 'an aborted request' : 'HTTP 500';
		it(`should roll back on ${name}, show an alert, keep what was typed, and save on retry`, async () => {
			await inContext(browser(), async (context) => {
				const page = await context.newPage();
				await signInUI(page, 'ada');
				const old = uniqueNumber();
				await saveFavNum(page, old);

				const failing = await failRoute(page, UPDATE_URL, failure);
				const typed = uniqueNumber();
				const { favNum, save } = editor(page);
				const shown = shownValue(sessionView(page), 'Favourite number');
				await favNum.fill(typed);
				await save.click();

				await expect.poll(() => page.getByRole('alert').first().isVisible()).toBe(true);
				// One failure, one announcement: the demo's <SessionView> leaves it to the editor.
				expect(await page.getByRole('alert').count()).toBe(1);
				await expect.poll(() => textOf(shown)).toBe(old);
				expect(await favNum.inputValue()).toBe(typed);

				// Nothing reached the server: a fresh page still has the old value.
				expect((await profileValues(context)).fav_num).toBe(old);

				await failing.dispose();
				const answered = nextUpdateResponse(page);
				await editor(page).save.click();
				expect(await answered).toBe(200);
				await expect.poll(() => textOf(shown)).toBe(typed);
				await expect.poll(() => page.getByRole('alert').count()).toBe(0);
				expect(await favNum.inputValue()).toBe(typed);

				await page.reload();
				await hydrated(page);
				expect(await textOf(shownValue(sessionView(page), 'Favourite number'))).toBe(typed);
			});
		});
	}

	it('should tie a message to the bio field for 281 characters and save nothing', async () => {
		await inContext(browser(), async (context) => {
			const page = await context.newPage();
			await signInUI(page, 'ada');
			const { bio, save } = editor(page);
			const oldBio = `First programmer ${uniqueNumber()}`;
			await bio.fill(oldBio);
			let answered = nextUpdateResponse(page);
			await save.click();
			expect(await answered).toBe(200);
			await expect.poll(() => textOf(shownValue(sessionView(page), 'Bio'))).toBe(oldBio);

			const before = await describedBy(bio);
			expect(await bio.getAttribute('aria-invalid')).not.toBe('true');
			const statuses: number[] = [];
			page.on('response', (response) => {
				if (response.url().includes('/api/update-user-data')) statuses.push(response.status());
			});
			const tooLong = 'x'.repeat(281);
			await bio.fill(tooLong);
			await save.click();

			await expect.poll(() => bio.getAttribute('aria-invalid')).toBe('true');
			const after = await describedBy(bio);
			const added = Object.keys(after).filter((id) => !(id in before));
			expect(added.length, `aria-describedby gained the message: ${JSON.stringify(after)}`).toBeGreaterThan(0);
			expect(added.map((id) => after[id]).join(' ')).toMatch(/280/);
			// The message is in the page, next to the field.
			expect(await page.locator(`[id="${added[0]}"]`).isVisible()).toBe(true);
			expect(await bio.inputValue()).toBe(tooLong);
			// The server refused it (or the editor never sent it): no successful update.
			expect(statuses.filter((status) => status === 200)).toStrictEqual([]);
			await expect.poll(() => textOf(shownValue(sessionView(page), 'Bio'))).toBe(oldBio);

			await page.reload();
			await hydrated(page);
			expect(await editor(page).bio.inputValue()).toBe(oldBio);
			expect(await textOf(shownValue(sessionView(page), 'Bio'))).toBe(oldBio);
			expect((await profileValues(context)).bio).toBe(oldBio);
		});
	});

	it('should work with the keyboard only: Tab to each field, Enter submits, focus goes to the first invalid field', async () => {
		await inContext(browser(), async (context) => {
			const page = await context.newPage();
			await signInUI(page, 'ada');
			const fields = editor(page);
			const value = uniqueNumber();

			await tabTo(page, fields.favNum);
			await page.keyboard.type(value);
			await page.keyboard.press('Tab');
			expect(await isFocused(fields.bio)).toBe(true);
			await page.keyboard.type('Typed with the keyboard');
			await page.keyboard.press('Tab');
			expect(await isFocused(fields.theme)).toBe(true);
			for (let i = 0; i < 4 && (await fields.theme.inputValue()) !== 'dark'; i += 1) {
				await page.keyboard.press('ArrowDown');
			}
			expect(await fields.theme.inputValue()).toBe('dark');
			await page.keyboard.press('Shift+Tab');
			await page.keyboard.press('Shift+Tab');
			expect(await isFocused(fields.favNum)).toBe(true);
			const answered = nextUpdateResponse(page);
			await page.keyboard.press('Enter');
			expect(await answered).toBe(200);
			const view = sessionView(page);
			await expect.poll(() => textOf(shownValue(view, 'Favourite number'))).toBe(value);
			expect(await textOf(shownValue(view, 'Bio'))).toBe('Typed with the keyboard');
			expect(await textOf(shownValue(view, 'Theme'))).toBe('Dark');

			await page.reload();
			await hydrated(page);
			expect(await profileValues(context)).toStrictEqual({ fav_num: value, bio: 'Typed with the keyboard', theme: 'dark' });

			// An invalid bio: Enter in the favourite number field, focus moves to the bio.
			await tabTo(page, fields.bio);
			await page.keyboard.press('ControlOrMeta+A');
			await page.keyboard.insertText('y'.repeat(281));
			await page.keyboard.press('Shift+Tab');
			expect(await isFocused(fields.favNum)).toBe(true);
			await page.keyboard.press('Enter');
			await expect.poll(() => fields.bio.getAttribute('aria-invalid')).toBe('true');
			await expect.poll(() => isFocused(fields.bio)).toBe(true);
		});
	});
});
