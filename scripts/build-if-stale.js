#!/usr/bin/env node
// `npm start` runs this first: it compiles src/ into dist/ only when a source file or tsconfig is newer than
// the last build, so a start after `npm install` (whose prepare step built dist/) does not compile again.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newestChange = (path) => {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
};

const sources = Math.max(newestChange('src'), newestChange('tsconfig.json'), newestChange('tsconfig.build.json'));
const built = statSync('dist/main.js', { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (sources > built) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
