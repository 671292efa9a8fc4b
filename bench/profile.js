// Where does a request's time go? `node bench/profile.js kit native [seconds]` runs scenarios of
// figure 1, each against its own server started with --cpu-prof, and prints CPU µs per request by
// place (package / node internals / app chunks) and by function, side by side, heaviest differences
// first. Not part of `npm run bench` (it is a diagnosis tool).
import autocannon from 'autocannon';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { TMP, UPDATE_PATH, signIn, startServer } from './lib.js';

const args = process.argv.slice(2);
const seconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 8);
const scenarios = args.filter((a) => !/^\d+$/.test(a));
if (scenarios.length === 0) scenarios.push('kit', 'native');

async function profileOne(scenario) {
	const dir = resolve(TMP, `prof-${scenario}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const server = await startServer({}, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100']);
	const jar = await signIn(server.url);
	const base = { 'content-type': 'application/json', origin: server.url, cookie: jar.header() };
	const requests = {
		get: { url: `${server.url}/auth/session`, headers: { cookie: jar.header() } },
		kit: { url: `${server.url}${UPDATE_PATH}`, method: 'POST', headers: base, body: '{"fav_num":"7"}' },
		native: { url: `${server.url}/auth/session`, method: 'POST', headers: base, body: '{"data":{"fav_num":"7"}}' },
		tutorial: { url: `${server.url}/bench/tutorial-update?query=update-user-data`, method: 'POST', headers: base, body: '{"fav_num":"7"}' },
		ssr: { url: `${server.url}/`, headers: { cookie: jar.header() } },
		bare: { url: `${server.url}/bench/bare`, headers: { cookie: jar.header() } }
	};
	await autocannon({ ...requests[scenario], connections: 10, duration: 1 }); // warm-up, profiled too: small
	const result = await autocannon({ ...requests[scenario], connections: 10, duration: seconds });
	await server.stop();
	const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
	if (!file) throw new Error('no profile written');
	const profile = JSON.parse(readFileSync(resolve(dir, file), 'utf8'));
	const requestsDone = result.requests.total + result.requests.total / seconds; // + warm-up, roughly
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const places = new Map();
	const fns = new Map();
	let busy = 0;
	profile.samples.forEach((id, i) => {
		const n = byId.get(id);
		const dt = profile.timeDeltas[i + 1] ?? 0;
		const name = n.callFrame.functionName;
		if (name === '(idle)' || name === '(program)') return;
		busy += dt;
		const url = n.callFrame.url;
		const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
		const place = pkg ?? (url.includes('/build/') ? 'app build' : url.startsWith('node:') ? url.replace(/^node:internal\//, '') : `(${name})`);
		places.set(place, (places.get(place) ?? 0) + dt);
		const fn = `${name || '(anonymous)'} ${url.includes('/build/') ? 'build:' : url.startsWith('node:') ? `${url.replace(/^node:internal\//, '')}:` : ''}${url ? n.callFrame.lineNumber + 1 : ''}`;
		fns.set(fn, (fns.get(fn) ?? 0) + dt);
	});
	const per = (m) => new Map([...m].map(([k, v]) => [k, v / requestsDone]));
	return { scenario, rps: result.requests.average, cpu: busy / requestsDone, places: per(places), fns: per(fns) };
}

const results = [];
for (const s of scenarios) {
	const r = await profileOne(s);
	console.log(`${s}: ${Math.round(r.rps)} req/s, busy CPU ${Math.round(r.cpu)} µs per request`);
	results.push(r);
}
function table(key, limit) {
	const keys = new Set(results.flatMap((r) => [...r[key].keys()]));
	const rows = [...keys].map((k) => [k, results.map((r) => r[key].get(k) ?? 0)]);
	const spread = (v) => Math.max(...v) - Math.min(...v) + (results.length === 1 ? v[0] : 0);
	rows.sort((a, b) => spread(b[1]) - spread(a[1]));
	console.log(`\n${results.map((r) => r.scenario.padStart(9)).join('')}   µs/request, self time by ${key === 'places' ? 'place' : 'function'}`);
	for (const [k, v] of rows.slice(0, limit)) console.log(`${v.map((x) => x.toFixed(0).padStart(9)).join('')}   ${k}`);
}
table('places', 25);
table("fns", Number(process.env.PROFILE_TOP ?? 40));
