// Figure 3: coalescing. The real store (src/lib/client, bundled for Node by Vite) against the real
// endpoint: how many requests a burst of `update` calls sends, and whether the final cookie holds every
// field. Node has no window: the store only updates in a browser, so `window` is faked for the run.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, TMP, decodeSession, signIn, sleep } from './lib.js';

async function loadStore() {
	const { build } = await import('vite');
	const outDir = resolve(TMP, 'store');
	mkdirSync(outDir, { recursive: true });
	await build({
		configFile: false,
		root: ROOT,
		logLevel: 'silent',
		build: {
			outDir,
			emptyOutDir: true,
			minify: false,
			copyPublicDir: false,
			lib: { entry: resolve(ROOT, 'src/lib/client/index.ts'), formats: ['es'], fileName: 'store' },
			rollupOptions: { external: (id) => /^svelte($|\/)|^\$app\/|^@sveltejs\/kit/.test(id) }
		}
	});
	return import(`${pathToFileURL(resolve(outDir, 'store.js')).href}?t=${Date.now()}`);
}

/** A signed-in "browser": its cookie jar, a counting fetch bound to the server, and its page-data session. */
async function browser(server, delay = 0) {
	const jar = await signIn(server.url);
	const sent = [];
	const fetcher = async (input, init = {}) => {
		const url = new URL(String(input), server.url);
		const headers = new Headers(init.headers);
		headers.set('cookie', jar.header());
		headers.set('origin', server.url);
		sent.push(init.body);
		const response = await fetch(url, { ...init, headers, redirect: 'manual' });
		await response.clone().arrayBuffer();
		if (delay) await sleep(delay); // a slower network: the answer (and its cookie) arrives later
		jar.take(response);
		return response;
	};
	const response = await fetch(`${server.url}/auth/session`, { headers: { cookie: jar.header() } });
	jar.take(response);
	const session = await response.json();
	return { jar, sent, fetcher, session };
}

const THEMES = ['light', 'dark', 'system'];

/** The patch of call i of a burst: the three writable fields in turn, so a lost field shows. */
function burstPatch(i) {
	return i % 3 === 0 ? { fav_num: `n${i}` } : i % 3 === 1 ? { bio: `b${i}` } : { theme: THEMES[i % 9 === 2 ? 0 : i % 9 === 5 ? 1 : 2] };
}

async function run(server, createSessionSync, label, drive, delay = 0) {
	const b = await browser(server, delay);
	const store = createSessionSync({ session: b.session, fetch: b.fetcher, broadcast: false, invalidate: () => {} });
	const expected = {};
	const calls = [];
	const update = (patch) => {
		Object.assign(expected, patch);
		calls.push(store.update(patch));
	};
	const start = performance.now();
	await drive(update);
	const results = await Promise.all(calls);
	const settled = performance.now() - start;
	const token = await decodeSession(b.jar.session());
	const lost = Object.entries(expected).filter(([k, v]) => token?.[k] !== v).map(([k]) => k);
	let current;
	store.subscribe((s) => (current = s))();
	const storeLost = Object.entries(expected).filter(([k, v]) => current?.user?.[k] !== v).map(([k]) => k);
	const failed = results.filter((r) => !r.ok).length;
	return { label, calls: calls.length, requests: b.sent.length, lost, storeLost, failed, settled };
}

export async function coalescing(server, { log = () => {} } = {}) {
	const { createSessionSync } = await loadStore();
	const hadWindow = 'window' in globalThis;
	if (!hadWindow) globalThis.window = globalThis;
	const out = [];
	try {
		for (const n of [10, 100, 1000]) {
			out.push(await run(server, createSessionSync, `${n} updates in one tick`, (update) => {
				for (let i = 0; i < n; i++) update(burstPatch(i));
			}));
		}
		const text = 'The quick brown fox!';
		out.push(await run(server, createSessionSync, '20 updates 50 ms apart (typing the bio)', async (update) => {
			for (let i = 0; i < 20; i++) {
				update({ bio: text.slice(0, i + 1) });
				await sleep(50);
			}
		}));
		out.push(await run(server, createSessionSync, '20 updates 50 ms apart, answers held 150 ms (slow network)', async (update) => {
			for (let i = 0; i < 20; i++) {
				update({ bio: text.slice(0, i + 1) });
				await sleep(50);
			}
		}, 150));
	} finally {
		if (!hadWindow) delete globalThis.window;
	}
	return out.map((r) => {
		log(`  ${r.label}: ${r.requests} requests, lost ${r.lost.join(',') || 'none'}, store lost ${r.storeLost.join(',') || 'none'}, failed ${r.failed}, ${r.settled.toFixed(0)} ms`);
		const burst = !r.label.startsWith('20 ');
		const noLoss = r.lost.length === 0 && r.storeLost.length === 0 && r.failed === 0;
		return {
			label: `coalescing: ${r.label}`,
			value: `${r.requests} request${r.requests === 1 ? '' : 's'} for ${r.calls} calls; settled in ${Math.round(r.settled)} ms`,
			comparison: `cookie ${r.lost.length ? `LOST ${r.lost.join(', ')}` : 'holds every field'}; store ${r.storeLost.length ? `LOST ${r.storeLost.join(', ')}` : 'agrees'}${r.failed ? `; ${r.failed} failed` : ''}`,
			goal: burst ? `≤ 2 requests: ${r.requests <= 2 ? 'met' : 'MISSED'}; no loss: ${noLoss ? 'met' : 'MISSED'}` : `no loss: ${noLoss ? 'met' : 'MISSED'}`
		};
	});
}
