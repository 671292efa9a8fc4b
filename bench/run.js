// `npm run bench`: measure everything in one run and print ONE table (also written to bench/results.md).
// Benchmarks report; they never fail the build: every figure that cannot be measured prints "n/a (why)"
// and the process exits 0.
//
// Knobs (environment): BENCH_ROUNDS (default 7), BENCH_SECONDS per round (2), BENCH_SOAK_SECONDS (10),
// BENCH_BUILD=1 to rebuild first (a missing build/ is always built), BENCH_ONLY=1,5 to run some figures.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { ROOT, signIn, startServer, version } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 10);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const want = (figure) => !ONLY || ONLY.has(String(figure));
const started = Date.now();
const log = (...args) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s]`, ...args);

// ---------- formatting ----------
const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const bytes = (n) => (Number.isFinite(n) ? `${int(n)} B` : 'n/a');
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const verdict = (ok) => (ok === undefined ? '' : ok ? 'met' : 'MISSED');
const errorText = (error) => String(error?.message ?? error).split('\n')[0].slice(0, 120);

/** Table rows: [figure, measure, value, comparison, goal]. */
const rows = [];
const row = (figure, measure, value, comparison = '', goal = '') => rows.push([figure, measure, value, comparison, goal]);
const notes = [];

async function figure(n, name, fn) {
	if (!want(n)) return;
	log(`figure ${n}: ${name}`);
	try {
		await fn();
	} catch (error) {
		log(`figure ${n} failed:`, error?.stack ?? error);
		row(n, name, `n/a (${errorText(error)})`);
	}
}

// ---------- build ----------
if (!existsSync(resolve(ROOT, 'build/index.js')) || process.env.BENCH_BUILD === '1') {
	log('building the demo (npm run build)…');
	const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
	if (build.status !== 0) log('npm run build failed: server figures will be n/a');
}

// ---------- 2. client size (no server; runs first so nothing competes with the server figures) ----------
await figure(2, 'client size', async () => {
	const { clientSizes } = await import('./size.js');
	const sizes = await clientSizes({ log });
	for (const s of sizes) row(2, s.label, s.value, s.comparison ?? '', s.goal ?? '');
	notes.push(...(sizes.notes ?? []));
});

// ---------- server figures ----------
let server = null;
if ([1, 3, 4, 5, 6, 7].some(want)) {
	try {
		server = await startServer();
		log(`server ${server.url} (pid ${server.pid})`);
	} catch (error) {
		log('server did not start:', error);
		for (const n of [1, 3, 5, 6, 7]) if (want(n)) row(n, 'server', `n/a (${errorText(error)})`);
	}
}

if (server) {
	const { throughput, jwtFloor, cookieSizes, ssr, soak, CHUNK } = await import('./server.js');
	const jar = await signIn(server.url);

	await figure(1, 'server throughput', async () => {
		const floor = await jwtFloor(jar.session());
		const r = await throughput(server, jar, { rounds: ROUNDS, seconds: SECONDS, log });
		const line = (x) => `${int(x.rps)} req/s · p50 ${ms(x.p50)} · p99 ${ms(x.p99)} · ${int(x.cpu)} µs CPU/req`;
		const vs = (a, b, name) => `${r.ratio(a, b).toFixed(2)}× ${name} (CPU ${r.cpuRatio(a, b).toFixed(2)}×)`;
		const bad = ['get', 'kit', 'native', 'tutorial'].reduce((a, k) => a + r[k].non2xx + r[k].errors, 0);
		row(1, r.get.label, line(r.get), 'baseline');
		row(1, r.native.label, line(r.native), vs('native', 'get', 'GET'));
		row(1, r.tutorial.label, line(r.tutorial), vs('tutorial', 'get', 'GET'));
		const kitNative = r.ratio('kit', 'native');
		const kitGet = r.ratio('kit', 'get');
		row(
			1,
			r.kit.label,
			line(r.kit),
			`${vs('kit', 'native', 'native')} · ${vs('kit', 'get', 'GET')} · ${vs('kit', 'tutorial', 'tutorial')}`,
			`≥ 1.0× native: ${verdict(kitNative >= 1)} (${kitNative.toFixed(3)}); ≥ 0.9× GET: ${verdict(kitGet >= 0.9)} (${kitGet.toFixed(3)})`
		);
		row(
			1,
			'floor: Auth.js encode + decode of the demo token, per CPU-second (one core, best of 6 rounds)',
			`${int(floor)} /s (${int(1e6 / floor)} µs each)`,
			`it is ${Math.round((1e6 / floor / r.kit.cpu) * 100)}% of the kit update's CPU, ${Math.round((1e6 / floor / r.native.cpu) * 100)}% of the native update's`
		);
		notes.push(
			'Figure 1, where the time goes (`node bench/profile.js kit native tutorial`, and counting crypto calls): every path does exactly one JWE decode + one encode; the tutorial costs about as much CPU as the kit, so the gap to Auth.js\'s own update is the route the update takes (a SvelteKit `+server` endpoint plus `locals.auth()`, which builds a second Request, runs Auth.js, parses its Set-Cookie and JSON body and re-sets the cookie through SvelteKit), not the kit\'s validation and merge.',
			`Figure 1: autocannon, 10 connections, ${ROUNDS} interleaved rounds × ${SECONDS} s after a 1 s warm-up each; values are medians over rounds, ratios are medians of per-round ratios (req/s; in brackets the inverse ratio of server CPU time per request, read from /proc, which other load on the machine disturbs less). Same signed-in cookie and patch \`{"fav_num":"7"}\` every request (each answer sets a new cookie; the old one stays valid). ${bad === 0 ? 'All answers 2xx.' : `${bad} non-2xx answers or errors!`}`
		);
	});

	await figure(5, 'cookie size', async () => {
		for (const c of await cookieSizes(server)) {
			row(
				5,
				`session cookie, ${c.label}`,
				`${int(c.length)} chars, ${c.chunks} cookie${c.chunks === 1 ? '' : 's'}${c.status === 200 ? '' : ` (update answered ${c.status})`}`,
				`${Math.round((c.length / CHUNK) * 100)}% of the ${int(CHUNK)}-char chunk`,
				`one chunk: ${verdict(c.chunks === 1 && c.fits)}`
			);
		}
	});

	await figure(6, 'SSR', async () => {
		const r = await ssr(server, jar, { rounds: Math.max(3, Math.ceil(ROUNDS / 2)), seconds: SECONDS, log });
		const line = (x) =>
			`${int(x.rps)} req/s · p50 ${ms(x.p50)} · p99 ${ms(x.p99)} · ${int(x.cpu)} µs CPU/req${x.non2xx + x.errors ? ` · ${x.non2xx + x.errors} non-2xx/errors!` : ''}`;
		row(6, r.bare.label, line(r.bare), 'baseline');
		row(6, r.home.label, line(r.home), `${r.ratio('home', 'bare').toFixed(2)}× bare (CPU ${r.cpuRatio('home', 'bare').toFixed(2)}×)`);
	});

	await figure(3, 'coalescing', async () => {
		const { coalescing } = await import('./coalesce.js');
		for (const c of await coalescing(server, { log })) row(3, c.label, c.value, c.comparison ?? '', c.goal ?? '');
	});

	await figure(7, 'load (issue 7)', async () => {
		const r = await soak(server, jar, { seconds: SOAK_SECONDS });
		for (const name of ['valid', 'hostile']) {
			const x = r[name];
			const statuses = Object.entries(x.byStatus).map(([code, n]) => `${code}: ${int(n)}`).join(', ');
			row(
				7,
				`${SOAK_SECONDS} s × 10 connections, ${name} patches`,
				`${int(x.requests)} requests (${int(x.rps)}/s); ${statuses}; errors ${x.errors}`,
				`RSS ${mib(x.before)} before, ${mib(x.mid)} halfway, ${mib(x.after)} after (peak ${mib(x.peak)})`,
				`5xx = 0: ${verdict(x.fivexx === 0)}`
			);
		}
		notes.push(
			`Issue 7 hostile mix, cycled per connection: ${Object.entries(r.expected).map(([c, n]) => `${n}× ${c}`).join(', ')} (bad JSON, array, foreign and null Origin, 9 KB body, text/plain, read-only field, __proto__, constructor.prototype, bio 281 chars, wrong types).`
		);
	});
}

// ---------- 4. optimistic paint (browser) ----------
await figure(4, 'optimistic paint', async () => {
	const { optimisticPaint } = await import('./paint.js');
	for (const p of await optimisticPaint(server, { log })) row(4, p.label, p.value, p.comparison ?? '', p.goal ?? '');
});

if (server) await server.stop();

// ---------- table ----------
rows.sort((a, b) => a[0] - b[0]);
const header = ['#', 'measure', 'value', 'compared', 'goal'];
const escape = (cell) => String(cell).replaceAll('|', '\\|');
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(escape).join(' | ')} |`).join('\n');
const cpu = cpus();
const load = `load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end (1 / 5 / 15 min)`;
const machine = `${cpu.length} cores (${cpu[0]?.model?.trim() ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
const packages = ['@auth/core', '@auth/sveltekit', '@sveltejs/kit', 'svelte', 'vite', 'autocannon', 'playwright-core']
	.map((p) => `${p} ${version(p)}`)
	.join(', ');
const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const elapsed = `${Math.round((Date.now() - started) / 1000)} s`;
const md = [
	'# Benchmarks',
	'',
	`Latest \`npm run bench\`: ${date}, ${elapsed}. Machine: ${machine}; ${load}. Packages: ${packages}.`,
	'',
	table,
	'',
	...notes.map((n) => `- ${n}`),
	''
].join('\n');
console.log(table);
console.log('');
for (const n of notes) console.log(`- ${n}`);
console.log(`\n${machine}; ${load}; ${packages}; ${elapsed}`);
if (!ONLY) writeFileSync(resolve(ROOT, 'bench/results.md'), md);
else log('BENCH_ONLY set: bench/results.md left as it was');
process.exit(0);
