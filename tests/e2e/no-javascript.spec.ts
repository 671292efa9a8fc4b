import { expect, it } from 'vitest';
import { describeE2E, editor, inContext, profileValues, sessionView, shownValue, signInUI, textOf, uniqueNumber, useBrowser } from './helpers.js';

describeE2E('without JavaScript', () => {
	const browser = useBrowser();

	it('should sign in with the form, save through the form action, and keep the value after the redirect and a reload', async () => {
		await inContext(
			browser(),
			async (context) => {
				const page = await context.newPage();
				await signInUI(page, 'ada');
				expect(await textOf(sessionView(page))).toContain('Ada Lovelace');
				const fields = editor(page);
				const value = uniqueNumber();
				const bio = 'Wrote the first program, without JavaScript.';
				await fields.favNum.fill(value);
				await fields.bio.fill(bio);

				const posted = page.waitForResponse(
					(response) => response.request().method() === 'POST' && response.url().includes('updateUserData')
				);
				await fields.save.click();
				// The form action answers 303 back to the page, so a reload never posts again.
				expect((await posted).status()).toBe(303);
				await page.waitForURL((url) => url.pathname === '/' && url.search === '');

				expect(await editor(page).favNum.inputValue()).toBe(value);
				expect(await textOf(shownValue(sessionView(page), 'Favourite number'))).toBe(value);
				expect(await textOf(shownValue(sessionView(page), 'Bio'))).toBe(bio);

				await page.reload();
				expect(await editor(page).favNum.inputValue()).toBe(value);
				expect(await editor(page).bio.inputValue()).toBe(bio);
				expect(await textOf(shownValue(sessionView(page), 'Favourite number'))).toBe(value);
				expect(await profileValues(context)).toMatchObject({ fav_num: value, bio });
			},
			{ javaScriptEnabled: false }
		);
	});

	it('should show a field message without JavaScript and save nothing', async () => {
		await inContext(
			browser(),
			async (context) => {
				const page = await context.newPage();
				await signInUI(page, 'ada');
				const fields = editor(page);
				await fields.bio.fill('z'.repeat(281));
				await fields.save.click();
				await page.waitForLoadState('load');
				expect(await editor(page).bio.getAttribute('aria-invalid')).toBe('true');
				expect(await editor(page).bio.inputValue()).toBe('z'.repeat(281));
				expect(await page.getByRole('alert').first().isVisible()).toBe(true);
				expect((await profileValues(context)).bio).toBe('—');
			},
			{ javaScriptEnabled: false }
		);
	});
});
