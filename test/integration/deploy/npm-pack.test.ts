import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../e2e/support/run-command.js';
import { REPOSITORY_ROOT } from '../../support/repository.js';

interface PackedFile {
  path: string;
  mode: number;
}

// `npm test` builds dist/ first; --ignore-scripts keeps pack from building it again.
const packed = await runCommand('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
  env: { PATH: process.env.PATH, HOME: process.env.HOME, NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
  timeoutMs: 120_000,
});
const files: PackedFile[] = packed.code === 0 ? (JSON.parse(packed.stdout) as [{ files: PackedFile[] }])[0].files : [];
const paths = files.map((file) => file.path);

describe('npm pack', () => {
  test('succeeds', () => {
    expect(packed.stderr).not.toMatch(/npm error/);
    expect(packed.code).toBe(0);
  });

  test('ships the built server and CLI, the executable bin, every migration, the defaults and the docs', async () => {
    const migrations = (await readdir(join(REPOSITORY_ROOT, 'migrations'))).filter((file) => file.endsWith('.sql'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'dist/main.js',
        'dist/cli/main.js',
        'bin/regauth.js',
        'config/default.yaml',
        ...migrations.map((file) => `migrations/${file}`),
      ]),
    );
    expect(files.find((file) => file.path === 'bin/regauth.js')?.mode).toBe(0o755);
  });

  test('leaves out sources, tests, deployment files, local state, keys and source maps', () => {
    const outside = paths.filter((path) => !/^(dist\/|bin\/|migrations\/|config\/default\.yaml$|package\.json$|README\.md$|CHANGELOG\.md$)/.test(path));
    expect(outside).toEqual([]);
    expect(paths.filter((path) => path.endsWith('.pem') || path.endsWith('.map') || path.includes('node_modules'))).toEqual([]);
  });
});
