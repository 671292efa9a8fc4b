import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const fixtures = join(root, 'node_modules', '.cache', 'session-sync-bundle-fixtures');

/**
 * Build a throwaway SvelteKit app whose page imports `entry` (a file of this repo, outside that
 * app's `$lib`, the way an installed package sits in node_modules). Resolves with the build output.
 */
async function buildAppImporting(name: string, entry: string) {
	const dir = join(fixtures, name);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(join(dir, 'src/routes'), { recursive: true });
	symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
	writeFileSync(
		join(dir, 'svelte.config.js'),
		`import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: adapter() } };\n`
	);
	writeFileSync(
		join(dir, 'vite.config.js'),
		`import { sveltekit } from '@sveltejs/kit/vite';\nexport default { plugins: [sveltekit()], logLevel: 'error' };\n`
	);
	writeFileSync(
		join(dir, 'src/app.html'),
		'<!doctype html><html><head>%sveltekit.head%</head><body>%sveltekit.body%</body></html>'
	);
	writeFileSync(
		join(dir, 'src/routes/+page.svelte'),
		`<script>\n\timport * as entry from ${JSON.stringify(join(root, entry))};\n\tconsole.log(Object.keys(entry));\n</script>\n`
	);
	try {
		const { stdout, stderr } = await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
			cwd: dir,
			// Vitest sets TEST=true, which turns SvelteKit's server-only guard off: build as a user would.
			env: { ...withoutTestVariables(process.env), NODE_ENV: 'production' }
		});
		return { ok: true, output: stdout + stderr };
	} catch (error) {
		const failure = error as { stdout?: string; stderr?: string; message: string };
		return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}${failure.message}` };
	}
}

function withoutTestVariables(env: NodeJS.ProcessEnv) {
	const copy = { ...env };
	for (const key of Object.keys(copy)) if (key === 'TEST' || key.startsWith('VITEST')) delete copy[key];
	return copy;
}

describe('bundling', () => {
	afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

	it('should refuse to put the server entry into a client bundle', async () => {
		const result = await buildAppImporting('imports-server', 'src/lib/server/index.ts');
		expect(result.ok).toBe(false);
		expect(result.output).toMatch(/\$app\/server/);
	}, 120_000);

	it('should bundle the browser entry into client code', async () => {
		const result = await buildAppImporting('imports-browser', 'src/lib/index.ts');
		expect(result.output).not.toMatch(/\$app\/server/);
		expect(result.ok, result.output).toBe(true);
	}, 120_000);
});
