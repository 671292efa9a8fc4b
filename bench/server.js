// Figures 1, 5, 6 and the load part of issue 7: everything that needs only the production server.
import autocannon from 'autocannon';
import { SECRET, SESSION_COOKIE, UPDATE_PATH, cpuMs, median, postUpdate, rssKiB, signIn, sleep } from './lib.js';

/** Auth.js splits a session cookie into chunks above this many characters (4096 minus 160 for attributes). */
export const CHUNK = 3936;

function cannon(options) {
	return new Promise((done, fail) => {
		const instance = autocannon({ connections: 10, pipelining: 1, ...options }, (error, result) =>
			error ? fail(error) : done(result)
		);
		autocannon.track?.(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false, outputStream: devNull });
	});
}
const devNull = { write() {}, isTTY: false, on() {}, once() {}, emit() {}, removeListener() {} };

/**
 * Run every scenario once per round, in a rotated order each round (so drift and warm-up hit all of them
 * alike), and keep the medians over the rounds: req/s, p50, p99, and the server's CPU time per request
 * (from /proc, robust when other processes share the cores). `ratio(a, b)` is the median of the
 * per-round ratios, which cancels drift between rounds.
 */
export async function interleaved(scenarios, { rounds, seconds, log, pid }) {
	const samples = Object.fromEntries(scenarios.map((s) => [s.name, []]));
	// Warm-up: one second each, not counted (JIT, connection pools).
	for (const s of scenarios) await cannon({ ...s.request, duration: 1 });
	for (let round = 0; round < rounds; round++) {
		const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]);
		for (const s of order) {
			const cpuBefore = pid ? cpuMs(pid) : NaN;
			const r = await cannon({ ...s.request, duration: seconds });
			r.cpuPerRequest = pid ? ((cpuMs(pid) - cpuBefore) * 1000) / r.requests.total : NaN; // µs
			samples[s.name][round] = r;
			log?.(`  round ${round + 1}/${rounds} ${s.name}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${Math.round(r.cpuPerRequest)} µs CPU/req, non-2xx ${r.non2xx}, errors ${r.errors}`);
		}
	}
	const out = {};
	for (const s of scenarios) {
		const rs = samples[s.name];
		out[s.name] = {
			rps: median(rs.map((r) => r.requests.average)),
			p50: median(rs.map((r) => r.latency.p50)),
			p99: median(rs.map((r) => r.latency.p99)),
			cpu: median(rs.map((r) => r.cpuPerRequest)),
			non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
			errors: rs.reduce((a, r) => a + r.errors + r.timeouts, 0),
			rounds: rs.length
		};
	}
	out.ratio = (a, b) => median(samples[a].map((r, i) => r.requests.average / samples[b][i].requests.average));
	out.cpuRatio = (a, b) => median(samples[a].map((r, i) => samples[b][i].cpuPerRequest / r.cpuPerRequest));
	return out;
}

const PATCH = JSON.stringify({ fav_num: '7' });

/** Figure 1: reads and the three ways to update a JWT session, same cookie, same patch. */
export async function throughput(server, jar, opts) {
	const base = { 'content-type': 'application/json', origin: server.url, cookie: jar.header() };
	const scenarios = [
		{ name: 'get', label: 'GET /auth/session (read)', request: { url: `${server.url}/auth/session`, headers: { cookie: jar.header() } } },
		{ name: 'kit', label: 'kit update (POST /api/update-user-data)', request: { url: `${server.url}${UPDATE_PATH}`, method: 'POST', headers: base, body: PATCH } },
		{ name: 'native', label: "Auth.js update (POST /auth/session {data})", request: { url: `${server.url}/auth/session`, method: 'POST', headers: base, body: JSON.stringify({ data: { fav_num: '7' } }) } },
		{ name: 'tutorial', label: 'tutorial update (locals.auth() + raw merge)', request: { url: `${server.url}/bench/tutorial-update?query=update-user-data`, method: 'POST', headers: base, body: PATCH } }
	];
	// Each must really update before it is timed.
	for (const s of scenarios.slice(1)) {
		const response = await fetch(s.request.url, { method: 'POST', headers: s.request.headers, body: s.request.body });
		await response.arrayBuffer();
		if (response.status !== 200 || response.headers.getSetCookie().length === 0) throw new Error(`${s.name}: ${response.status}, no new cookie`);
	}
	const results = await interleaved(scenarios, { ...opts, pid: server.pid });
	for (const s of scenarios) results[s.name].label = s.label;
	return results;
}

/** Figure 6: SSR of the demo page against a page that only reads the session. */
export async function ssr(server, jar, opts) {
	const headers = { cookie: jar.header() };
	const scenarios = [
		{ name: 'home', label: 'SSR / (signed in)', request: { url: `${server.url}/`, headers } },
		{ name: 'bare', label: 'SSR /bench/bare (layout load + one line)', request: { url: `${server.url}/bench/bare`, headers } }
	];
	const results = await interleaved(scenarios, { ...opts, pid: server.pid });
	for (const s of scenarios) results[s.name].label = s.label;
	return results;
}

/**
 * Floor: raw Auth.js encode + decode of the demo token per second of CPU (one core), in this process.
 * Counted against the CPU time used (process.cpuUsage, which includes the crypto thread pool), best of
 * six half-second rounds, so other load on the machine makes the floor look lower as little as possible.
 */
export async function jwtFloor(cookie, { seconds = 0.5, rounds = 6 } = {}) {
	const { encode, decode } = await import('@auth/core/jwt');
	const token = await decode({ token: cookie, secret: SECRET, salt: SESSION_COOKIE });
	const rates = [];
	for (let round = 0; round < rounds + 1; round++) {
		let n = 0;
		const end = performance.now() + seconds * 1000;
		const cpu = process.cpuUsage();
		while (performance.now() < end) {
			const value = await encode({ token, secret: SECRET, salt: SESSION_COOKIE });
			await decode({ token: value, secret: SECRET, salt: SESSION_COOKIE });
			n++;
		}
		const used = process.cpuUsage(cpu);
		if (round > 0) rates.push(n / ((used.user + used.system) / 1e6)); // round 0 warms up
	}
	// A floor is the best the machine can do: keep the fastest round, the one least disturbed by other load.
	return Math.max(...rates);
}

/** Figure 5: the session cookie at sign-in and with every writable field at its longest. */
export async function cookieSizes(server) {
	const cases = [
		['at sign-in', null],
		['all fields max, ASCII (fav_num 100, bio 280, theme)', { fav_num: '9'.repeat(100), bio: 'b'.repeat(280), theme: 'system' }],
		['all fields max, 3-byte UTF-8 (€)', { fav_num: '€'.repeat(100), bio: '€'.repeat(280), theme: 'system' }],
		// The demo refuses other control characters; quotes and line breaks are the longest accepted (2 B each in JSON).
		['all fields max, escaped characters (" and line breaks, 2 B each in JSON)', { fav_num: '"'.repeat(100), bio: '\n'.repeat(280), theme: 'system' }],
		['control characters (refused by the demo\'s schemas, 422)', { fav_num: '\u0001'.repeat(100), bio: '\u0001'.repeat(280), theme: 'system' }]
	];
	const rows = [];
	for (const [label, patch] of cases) {
		const jar = await signIn(server.url);
		let status = 200;
		if (patch) status = (await postUpdate(server.url, jar, patch)).status;
		const value = jar.session() ?? '';
		const chunks = jar.chunks().length;
		rows.push({ label, status, length: value.length, chunks, fits: value.length <= CHUNK });
	}
	return rows;
}

/** Issue 7: 10 connections of valid patches, then of hostile ones; status counts and RSS. */
export async function soak(server, jar, { seconds = 10 } = {}) {
	const headers = { 'content-type': 'application/json', origin: server.url, cookie: jar.header() };
	const path = UPDATE_PATH;
	const valid = [{ fav_num: '1' }, { bio: 'hello there' }, { theme: 'dark' }, { fav_num: null }, { theme: 'light', bio: null }].map((p) => ({
		method: 'POST', path, headers, body: JSON.stringify(p)
	}));
	const hostile = [
		{ status: 400, headers, body: '{"fav_num": ' },
		{ status: 400, headers, body: '[1,2,3]' },
		{ status: 403, headers: { ...headers, origin: 'https://evil.example' }, body: '{"fav_num":"1"}' },
		{ status: 403, headers: { ...headers, origin: 'null' }, body: '{"fav_num":"1"}' },
		{ status: 413, headers, body: JSON.stringify({ bio: 'x'.repeat(9000) }) },
		{ status: 415, headers: { ...headers, 'content-type': 'text/plain' }, body: '{"fav_num":"1"}' },
		{ status: 422, headers, body: '{"role":"admin"}' },
		{ status: 422, headers, body: '{"__proto__":{"role":"admin"}}' },
		{ status: 422, headers, body: '{"constructor":{"prototype":{"x":1}}}' },
		{ status: 422, headers, body: JSON.stringify({ bio: 'x'.repeat(281) }) },
		{ status: 422, headers, body: '{"fav_num":5,"theme":"neon"}' }
	].map((r) => ({ method: 'POST', path, ...r }));
	// The hostile set must answer as the wire protocol says before it is hammered.
	const expected = {};
	for (const r of hostile) {
		const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: r.headers, body: r.body });
		await response.arrayBuffer();
		if (response.status !== r.status) throw new Error(`hostile case ${r.body.slice(0, 40)}: expected ${r.status}, got ${response.status}`);
		expected[r.status] = (expected[r.status] ?? 0) + 1;
	}
	const out = {};
	for (const [name, requests] of [['valid', valid], ['hostile', hostile.map(({ status: _s, ...r }) => r)]]) {
		global.gc?.();
		await sleep(200);
		const before = rssKiB(server.pid);
		// RSS every 250 ms: a leak keeps growing through the second half, a heap that sized itself does not.
		const trace = [];
		const timer = setInterval(() => trace.push(rssKiB(server.pid)), 250);
		const r = await cannon({ url: server.url, requests, duration: seconds });
		clearInterval(timer);
		await sleep(500);
		const after = rssKiB(server.pid);
		const mid = trace[Math.floor(trace.length / 2)] ?? before;
		const peak = Math.max(before, after, ...trace);
		const byStatus = {};
		for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) byStatus[code] = count;
		const fivexx = Object.entries(byStatus).filter(([c]) => c >= 500).reduce((a, [, n]) => a + n, 0);
		out[name] = { requests: r.requests.total, rps: r.requests.average, errors: r.errors + r.timeouts, byStatus, fivexx, before, mid, peak, after };
	}
	out.expected = expected;
	return out;
}
