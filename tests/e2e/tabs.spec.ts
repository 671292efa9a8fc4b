import { expect, it } from 'vitest';
import {
	UPDATE_URL,
	describeE2E,
	editor,
	holdRoute,
	hydrated,
	inContext,
	nextUpdateResponse,
	open,
	profileValues,
	sessionView,
	shownValue,
	signInUI,
	textOf,
	uniqueNumber,
	useBrowser
} from './helpers.js';

describeE2E('several tabs and slow requests', () => {
	const browser = useBrowser();

	it('should keep both fields when two tabs save at the same moment, each tab seeing the other change without a reload', async () => {
		await inContext(browser(), async (context) => {
			const first = await context.newPage();
			await signInUI(first, 'ada');
			const second = await context.newPage();
			await open(second, '/');
			await expect.poll(() => textOf(sessionView(second))).toContain('Ada Lovelace');
			const navigations: string[] = [];
			for (const page of [first, second]) {
				page.on('framenavigated', (frame) => {
					if (frame === page.mainFrame()) navigations.push(frame.url());
				});
			}

			// Every update response is held back for a second after the server answered it.
			const held = await holdRoute(context, UPDATE_URL, { delayMs: 1000 });
			const value = uniqueNumber();
			const bio = `Bio from the second tab ${uniqueNumber()}`;
			await editor(first).favNum.fill(value);
			await editor(second).bio.fill(bio);
			await Promise.all([editor(first).save.click(), editor(second).save.click()]);

			// Both tabs show their own change at once.
			await expect.poll(() => textOf(shownValue(sessionView(first), 'Favourite number')), { timeout: 800 }).toBe(value);
			await expect.poll(() => textOf(shownValue(sessionView(second), 'Bio')), { timeout: 800 }).toBe(bio);

			// After both settle, each tab shows both values (the other one came over the BroadcastChannel).
			for (const page of [first, second]) {
				const view = sessionView(page);
				await expect.poll(() => textOf(shownValue(view, 'Favourite number')), { timeout: 8000 }).toBe(value);
				await expect.poll(() => textOf(shownValue(view, 'Bio')), { timeout: 8000 }).toBe(bio);
				await expect.poll(() => textOf(view.getByRole('status'))).toBe('');
			}
			expect(navigations, 'no tab reloaded or navigated').toStrictEqual([]);

			// Each request carried only its own field, and they never overlapped: the second went to the
			// server only after the page had the first one's answer (and its cookie).
			expect(held.log).toHaveLength(2);
			const bodies = held.requests.map((request) => JSON.parse(request.postData() ?? 'null'));
			expect(bodies).toEqual(expect.arrayContaining([{ fav_num: value }, { bio }]));
			const [a, b] = [...held.log].sort((x, y) => x.sent - y.sent);
			expect(b.sent).toBeGreaterThanOrEqual(a.delivered!);

			// The cookie holds both.
			expect(await profileValues(context)).toMatchObject({ fav_num: value, bio });
			const fresh = await context.newPage();
			await open(fresh, '/');
			expect(await textOf(shownValue(sessionView(fresh), 'Favourite number'))).toBe(value);
			expect(await textOf(shownValue(sessionView(fresh), 'Bio'))).toBe(bio);
		});
	});

	it('should show a confirmed change in another tab without a reload', async () => {
		await inContext(browser(), async (context) => {
			const first = await context.newPage();
			await signInUI(first, 'ada');
			const second = await context.newPage();
			await open(second, '/');
			let reloaded = false;
			second.on('framenavigated', (frame) => {
				if (frame === second.mainFrame()) reloaded = true;
			});
			const answered = nextUpdateResponse(first);
			await editor(first).theme.selectOption('dark');
			await editor(first).save.click();
			expect(await answered).toBe(200);
			await expect.poll(() => textOf(shownValue(sessionView(second), 'Theme')), { timeout: 5000 }).toBe('Dark');
			expect(reloaded).toBe(false);
		});
	});

	it('should not take an update back when a page-data load held back while it completed arrives late', async () => {
		await inContext(browser(), async (context) => {
			const page = await context.newPage();
			await signInUI(page, 'ada');
			// The first `__data.json` load (the invalidation after the first update) is answered by the
			// server at once, with the cookie of that moment, but reaches the page only when released.
			const load = await holdRoute(page, '**/__data.json*', { times: 1 });
			const value = uniqueNumber();
			const bio = `Later bio ${uniqueNumber()}`;
			const { favNum, bio: bioField, save } = editor(page);

			await favNum.fill(value);
			let answered = nextUpdateResponse(page);
			await save.click();
			expect(await answered).toBe(200);
			await load.arrived;

			await bioField.fill(bio);
			answered = nextUpdateResponse(page);
			await save.click();
			expect(await answered).toBe(200);
			await expect.poll(() => textOf(shownValue(sessionView(page), 'Bio'))).toBe(bio);

			// Now the old load arrives, with the session (and whatever cookie) of before the second update.
			load.release();
			await page.waitForLoadState('networkidle');
			const view = sessionView(page);
			await expect.poll(() => textOf(shownValue(view, 'Bio'))).toBe(bio);
			expect(await textOf(shownValue(view, 'Favourite number'))).toBe(value);

			await page.reload();
			await hydrated(page);
			expect(await textOf(shownValue(sessionView(page), 'Bio'))).toBe(bio);
			expect(await textOf(shownValue(sessionView(page), 'Favourite number'))).toBe(value);
			expect(await profileValues(context)).toMatchObject({ fav_num: value, bio });
		});
	});

	it('should not take an update back when a navigation held back while it completed arrives late', async () => {
		await inContext(browser(), async (context) => {
			const page = await context.newPage();
			await signInUI(page, 'ada');
			const value = uniqueNumber();
			// Typed before the navigation starts: locator actions wait for pending navigations, the keyboard does not.
			await editor(page).favNum.fill(value);

			// The document request for /profile reads the session cookie of before the update; its answer
			// (and any cookie it sets) reaches the browser only after the update has been confirmed.
			const navigation = await holdRoute(page, '**/profile', {
				filter: (request) => request.resourceType() === 'document'
			});
			const answered = nextUpdateResponse(page);
			await page.evaluate(() => setTimeout(() => location.assign('/profile'), 0));
			const arrived = page.waitForURL((url) => url.pathname === '/profile').then(
				() => null,
				(error: unknown) => error
			);
			await navigation.arrived;

			// Still on `/` while the navigation waits: save with Enter in the focused field.
			await page.keyboard.press('Enter');
			expect(await answered).toBe(200);
			const sent = navigation.log[0];
			expect(sent.delivered, 'the navigation is still held back').toBeUndefined();

			navigation.release();
			expect(await arrived).toBeNull();
			await page.waitForLoadState('networkidle');
			// Everything has settled; the cookie still holds the update.
			await page.reload();
			await expect.poll(() => textOf(shownValue(page, 'Favourite number'))).toBe(value);
			await page.goto('/');
			await hydrated(page);
			expect(await textOf(shownValue(sessionView(page), 'Favourite number'))).toBe(value);
		});
	});
});
