#!/usr/bin/env node
// `npm run build:credential-provider`: bundles src/credential-provider/main.ts into one CommonJS file with
// esbuild and makes it a Node single-executable application (the node binary running this script, with the
// bundle injected by postject), so a Kubernetes node runs it with no Node install. A rebuild is skipped when
// the bundle, this script, the node binary and postject are those of the last build (injecting into the
// ~100 MB binary takes seconds).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { inject } from 'postject';

const OUTPUT_DIR = 'dist-credential-provider';
const EXECUTABLE = join(OUTPUT_DIR, 'regauth-credential-provider');
const BUILD_KEY = join(OUTPUT_DIR, 'build-key');
// Node's documented fuse for single-executable applications.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const require = createRequire(import.meta.url);
const postjectVersion = JSON.parse(await readFile(require.resolve('postject/package.json'), 'utf8')).version;

const bundled = await build({
  entryPoints: ['src/credential-provider/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
});
const bundle = bundled.outputFiles[0].contents;

const nodeBinary = await stat(process.execPath);
const key = createHash('sha256')
  .update(bundle)
  .update(await readFile(new URL(import.meta.url)))
  .update(`\0${process.version}\0${process.execPath}\0${nodeBinary.size}\0${nodeBinary.mtimeMs}\0${postjectVersion}`)
  .digest('hex');
const lastKey = await readFile(BUILD_KEY, 'utf8').catch(() => '');
const executableExists = await stat(EXECUTABLE).then(() => true, () => false);
if (lastKey === key && executableExists) {
  console.log(`${EXECUTABLE} is up to date`);
  process.exit(0);
}

await mkdir(OUTPUT_DIR, { recursive: true });
const work = join(OUTPUT_DIR, `.build-${process.pid}`);
await mkdir(work, { recursive: true });
try {
  const script = join(work, 'regauth-credential-provider.cjs');
  const blob = join(work, 'sea-prep.blob');
  const config = join(work, 'sea-config.json');
  await writeFile(script, bundle);
  await writeFile(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const executable = join(work, 'regauth-credential-provider');
  await copyFile(process.execPath, executable);
  await chmod(executable, 0o755);
  await inject(executable, 'NODE_SEA_BLOB', await readFile(blob), { sentinelFuse: SEA_FUSE });
  // Renamed into place whole, so a concurrent run never executes a half-written file.
  await rename(executable, EXECUTABLE);
  await writeFile(BUILD_KEY, key);
  console.log(`built ${EXECUTABLE} (node ${process.version})`);
} finally {
  await rm(work, { recursive: true, force: true });
}
