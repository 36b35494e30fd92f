import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  environmentOf,
  execForm,
  instructionsOf,
  parseCopy,
  parseDockerfile,
  parseHealthcheck,
  readDockerfile,
  type Stage,
} from '../../support/dockerfile.js';
import { REPOSITORY_ROOT } from '../../support/repository.js';

const stages = await readDockerfile();
const runtime = stages.at(-1) as Stage;
const runtimeEnv = environmentOf(runtime);
const copiesIntoRuntime = instructionsOf(runtime, 'COPY').map(({ args }) => parseCopy(args));

describe('the Dockerfile parser', () => {
  test('joins continuation lines, drops comments and names stages', () => {
    expect(parseDockerfile('# c\nFROM a:1 AS one\nRUN x \\\n  # inside\n  && y\nFROM b AS two\nUSER 1\n')).toEqual([
      { name: 'one', base: 'a:1', instructions: [{ keyword: 'RUN', args: 'x && y' }] },
      { name: 'two', base: 'b', instructions: [{ keyword: 'USER', args: '1' }] },
    ]);
  });

  test('refuses an unnamed stage', () => {
    expect(() => parseDockerfile('FROM a\n')).toThrow('every stage must be named');
  });
});

describe('Dockerfile', () => {
  test('is multi-stage: a build stage with every dependency, then the runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((stage) => instructionsOf(stage, 'RUN').some(({ args }) => args.includes('npm run build')));
    expect(build).toBeDefined();
    expect(build).not.toBe(runtime);
    expect(instructionsOf(build as Stage, 'RUN').map(({ args }) => args)).toContain('npm ci --ignore-scripts --no-audit --no-fund');
  });

  test('every stage starts from the same Node 24 slim image', () => {
    expect(new Set(stages.map((stage) => stage.base))).toEqual(new Set(['node:24-bookworm-slim']));
  });

  test("the runtime's node_modules come from a stage that installs production dependencies only, without scripts", () => {
    const nodeModules = copiesIntoRuntime.find((copy) => copy.destination === './node_modules');
    expect(nodeModules?.from).not.toBeNull();
    const deps = stages.find((stage) => stage.name === nodeModules?.from) as Stage;
    expect(nodeModules?.sources).toEqual(['/app/node_modules']);
    expect(instructionsOf(deps, 'RUN').map(({ args }) => args)).toEqual(['npm ci --omit=dev --ignore-scripts --no-audit --no-fund']);
  });

  test('the runtime stage installs nothing and holds only what regauth runs from', () => {
    const runtimeRuns = instructionsOf(runtime, 'RUN').map(({ args }) => args);
    expect(runtimeRuns.join(' ')).not.toMatch(/\bnpm\b/);
    expect(copiesIntoRuntime.map((copy) => copy.destination).sort()).toEqual(
      ['./node_modules', './dist', './', './bin', './migrations', './config'].sort(),
    );
    expect(copiesIntoRuntime.find((copy) => copy.destination === './')?.sources).toEqual(['package.json']);
    expect(copiesIntoRuntime.find((copy) => copy.destination === './dist')).toEqual({ from: 'build', sources: ['/app/dist'], destination: './dist' });
    expect(copiesIntoRuntime.flatMap((copy) => copy.sources)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(src|test|keys|data)\b/)]));
  });

  test('the runtime stage only sets up the user and its folders, so the build test can skip that step', () => {
    const commands = instructionsOf(runtime, 'RUN').flatMap(({ args }) => args.split('&&').map((command) => command.trim().split(/\s+/)[0]));
    expect(new Set(commands)).toEqual(new Set(['groupadd', 'useradd', 'mkdir', 'chown', 'ln']));
  });

  test('runs as a numeric non-root user, set after the last RUN', () => {
    const users = instructionsOf(runtime, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = (users[0]?.args as string).split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    const lastRun = runtime.instructions.findLastIndex((instruction) => instruction.keyword === 'RUN');
    expect(runtime.instructions.findIndex((instruction) => instruction.keyword === 'USER')).toBeGreaterThan(lastRun);
    expect(instructionsOf(runtime, 'RUN').map(({ args }) => args).join(' ')).toContain(`--uid ${uid}`);
  });

  test('keys and data are volumes where the environment points regauth', () => {
    const volumes = instructionsOf(runtime, 'VOLUME').flatMap(({ args }) => execForm(args));
    expect(runtimeEnv.REGAUTH_KEYS_DIR).toBe('/var/lib/regauth/keys');
    expect(runtimeEnv.REGAUTH_DATA_DIR).toBe('/var/lib/regauth/data');
    expect(volumes.sort()).toEqual([runtimeEnv.REGAUTH_DATA_DIR, runtimeEnv.REGAUTH_KEYS_DIR]);
    const setup = instructionsOf(runtime, 'RUN').map(({ args }) => args).join(' ');
    expect(setup).toContain(`mkdir -p ${runtimeEnv.REGAUTH_KEYS_DIR} ${runtimeEnv.REGAUTH_DATA_DIR}`);
    expect(setup).toContain('chown -R regauth:regauth /var/lib/regauth');
  });

  test('exposes port 5001 and starts the built server', () => {
    expect(instructionsOf(runtime, 'EXPOSE').map(({ args }) => args)).toEqual(['5001']);
    expect(instructionsOf(runtime, 'CMD').map(({ args }) => execForm(args))).toEqual([['node', 'dist/main.js']]);
    expect(instructionsOf(runtime, 'ENTRYPOINT')).toEqual([]);
  });

  test('its HEALTHCHECK asks /healthz with node (no curl in a slim image) on the configured port', () => {
    const checks = instructionsOf(runtime, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const { options, command } = parseHealthcheck(checks[0]?.args as string);
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/healthz');
    expect(command.join(' ')).toContain('process.env.REGAUTH_PORT||5001');
    expect(Object.keys(options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
  });

  test('.dockerignore keeps local state, keys and dependencies out of the build context', async () => {
    const ignored = (await readFile(join(REPOSITORY_ROOT, '.dockerignore'), 'utf8')).split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', 'data', 'keys']));
  });
});
