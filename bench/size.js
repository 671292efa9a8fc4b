// Figure 2: client size, min + gzip, of the kit's browser entries beside next-auth/react and
// better-auth's Svelte client. Frameworks stay external (svelte, @sveltejs/kit, $app/*, react): each
// row is what the library itself adds to a page. The competitors are installed into bench/.tmp/ext with
// `npm install --prefix`, never as project dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, TMP } from './lib.js';

const EXT = resolve(TMP, 'ext');
const COMPETITORS = { 'next-auth': '4.24.15', 'better-auth': '1.7.29' };
const STORE_GOAL = 2500;
const ALL_GOAL = 6000;

const EXTERNAL = [/^svelte($|\/)/, /^@sveltejs\/kit($|\/)/, /^\$app\//, /^react($|\/)/, /^react-dom($|\/)/];

function installedVersion(name) {
	try {
		return JSON.parse(readFileSync(resolve(EXT, 'node_modules', name, 'package.json'), 'utf8')).version;
	} catch {
		return null;
	}
}

function installCompetitors(log) {
	mkdirSync(EXT, { recursive: true });
	if (Object.entries(COMPETITORS).every(([name, v]) => installedVersion(name) === v)) return;
	if (!existsSync(resolve(EXT, 'package.json'))) writeFileSync(resolve(EXT, 'package.json'), '{"name":"bench-ext","private":true}\n');
	log(`installing ${Object.entries(COMPETITORS).map(([n, v]) => `${n}@${v}`).join(' ')} into bench/.tmp/ext…`);
	const specs = Object.entries(COMPETITORS).map(([n, v]) => `${n}@${v}`);
	const result = spawnSync(
		'npm',
		['install', '--prefix', EXT, '--no-save', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', ...specs],
		{ cwd: EXT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' }
	);
	if (result.status !== 0) throw new Error(`npm install failed: ${result.stderr.split('\n').slice(-3).join(' ')}`);
}

/** Vite library build (rolldown, its minifier, the Svelte compiler for .svelte) → { min, gzip } in bytes. */
async function measure(entry) {
	const { build } = await import('vite');
	const { svelte } = await import('@sveltejs/vite-plugin-svelte');
	const output = await build({
		configFile: false,
		root: ROOT,
		logLevel: 'silent',
		mode: 'production',
		define: { 'process.env.NODE_ENV': '"production"' },
		// emitCss false: component styles are injected from JS, so the JS figure includes them.
		plugins: [svelte({ configFile: false, emitCss: false, compilerOptions: { dev: false } })],
		build: {
			write: false,
			minify: true,
			sourcemap: false,
			copyPublicDir: false,
			lib: { entry, formats: ['es'], fileName: 'entry' },
			rollupOptions: { external: (id) => EXTERNAL.some((re) => re.test(id)) }
		}
	});
	const { minifySync } = await import('rolldown/utils');
	const outputs = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output);
	// Vite's library mode keeps whitespace in ES output (to keep /* @__PURE__ */ for the app's bundler);
	// an app's production build strips it, so minify fully (oxc: compress, mangle, whitespace) here.
	const code = outputs
		.map((o) => {
			if (o.type !== 'chunk') return typeof o.source === 'string' ? o.source : Buffer.from(o.source).toString();
			const result = minifySync(o.fileName, o.code, { module: true, compress: true, mangle: { toplevel: true } });
			if (result.errors?.length) throw new Error(`minify ${o.fileName}: ${result.errors[0].message}`);
			return result.code;
		})
		.join('');
	// Where the bytes go: Vite marks each module with a `// path` comment; minify + gzip each part alone
	// (parts compress worse alone than together, so they sum to more than the total).
	const modules = outputs
		.filter((o) => o.type === 'chunk')
		.flatMap((o) => o.code.split(/^(?=\/\/ (?:src|node_modules)\/)/m))
		.map((part) => {
			const name = /^\/\/ (\S+)/.exec(part)?.[1] ?? '(imports)';
			const min = minifySync('part.js', part, { module: true, compress: false, mangle: { toplevel: true } }).code;
			return { name: name.replace(/^src\/lib\//, ''), gzip: gzipSync(min, { level: 9 }).length };
		})
		.filter((m) => m.name !== '(imports)')
		.sort((a, b) => b.gzip - a.gzip);
	return { min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, files: outputs.length, modules };
}

function entryFile(name, source) {
	mkdirSync(EXT, { recursive: true });
	const file = resolve(EXT, `${name}.js`);
	writeFileSync(file, source);
	return file;
}

export async function clientSizes({ log = () => {} } = {}) {
	const rows = [];
	const fmt = (s) => `${s.gzip.toLocaleString('en-US')} B gzip (${s.min.toLocaleString('en-US')} B min)`;
	const ratioTo = (s, store) => (store ? `${(s.gzip / store.gzip).toFixed(2)}× the kit's store` : '');

	let store = null;
	let all = null;
	const storeEntry = resolve(ROOT, 'src/lib/client/index.ts');
	if (existsSync(storeEntry)) {
		try {
			store = await measure(storeEntry);
			rows.push({ label: 'kit store (src/lib/client/index.ts)', value: fmt(store), goal: `≤ 2,500 B: ${store.gzip <= STORE_GOAL ? 'met' : 'MISSED'}` });
		} catch (error) {
			rows.push({ label: 'kit store (src/lib/client/index.ts)', value: `n/a (${String(error.message).split('\n')[0]})` });
		}
	} else rows.push({ label: 'kit store (src/lib/client/index.ts)', value: 'n/a (not built yet)' });

	const index = resolve(ROOT, 'src/lib/index.ts');
	const hasComponents = existsSync(index) && /SessionView|components\//.test(readFileSync(index, 'utf8'));
	if (hasComponents) {
		try {
			all = await measure(index);
			rows.push({
				label: 'kit store + SessionView + UserDataEditor (src/lib/index.ts)',
				value: fmt(all),
				comparison: store ? `components add ${(all.gzip - store.gzip).toLocaleString('en-US')} B` : '',
				goal: `≤ 6,000 B: ${all.gzip <= ALL_GOAL ? 'met' : 'MISSED'}`
			});
		} catch (error) {
			rows.push({ label: 'kit store + components (src/lib/index.ts)', value: `n/a (${String(error.message).split('\n')[0]})` });
		}
	} else rows.push({ label: 'kit store + components (src/lib/index.ts)', value: 'n/a (not built yet)' });

	installCompetitors(log);
	const nextAuth = await measure(
		entryFile('next-auth-react', "export { SessionProvider, useSession, signIn, signOut, getSession } from 'next-auth/react';\n")
	);
	rows.push({
		label: `next-auth/react ${COMPETITORS['next-auth']} (SessionProvider, useSession, signIn, signOut, getSession; react external)`,
		value: fmt(nextAuth),
		comparison: ratioTo(nextAuth, store)
	});
	const betterAuth = await measure(entryFile('better-auth-svelte', "export { createAuthClient } from 'better-auth/svelte';\n"));
	rows.push({
		label: `better-auth/svelte ${COMPETITORS['better-auth']} (createAuthClient; svelte external)`,
		value: fmt(betterAuth),
		comparison: ratioTo(betterAuth, store)
	});
	const breakdown = (m) => m.modules.slice(0, 6).map((x) => `${x.name} ${x.gzip.toLocaleString('en-US')}`).join(', ');
	rows.notes = [
		...(all ?? store ? [`Figure 2, where the kit's bytes go (each module minified + gzipped alone, B): ${breakdown(all ?? store)}.`] : []),
		'Figure 2: Vite 8 library build (rolldown, then the oxc minifier of rolldown/utils with compress + mangle, @sveltejs/vite-plugin-svelte with styles injected into JS), ES module, all chunks together, gzip -9; svelte, @sveltejs/kit, $app/* and react external.'
	];
	return rows;
}
