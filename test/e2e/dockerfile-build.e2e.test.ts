import { cp, mkdir, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { startDaemon, type Daemon } from './support/daemon.js';
import { freePort } from './support/free-port.js';
import { assertSucceeded, runCommand } from './support/run-command.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';
import { environmentOf, execForm, instructionsOf, parseCopy, parseHealthcheck, readDockerfile, type Stage } from '../support/dockerfile.js';
import { REPOSITORY_ROOT } from '../support/repository.js';

// No Docker engine builds the image here, so this test carries out the Dockerfile itself: each stage's
// WORKDIR becomes a folder, COPY copies from the checkout or an earlier stage's folder, and RUN runs in it.
// Only the runtime stage's RUN (creating the user and its folders, checked in dockerfile.test.ts) is left
// out. Then the runtime folder is started with the image's CMD and ENV and probed with its HEALTHCHECK.

const IMAGE_WORKDIR = '/app';
const IMAGE_STATE_DIR = '/var/lib/regauth';

/** What a RUN step sees: the image's PATH and HOME, never the variables `npm test` itself set. */
function buildEnvironment(stageEnv: Record<string, string>): NodeJS.ProcessEnv {
  const passed = Object.entries(process.env).filter(([name]) => name === 'PATH' || name === 'HOME' || name.startsWith('NPM_CONFIG_'));
  return { ...Object.fromEntries(passed), ...stageEnv };
}

/** The host folder that stands for `path` inside a stage whose WORKDIR is `stageDir`. */
function hostPath(stageDir: string, path: string): string {
  if (path.startsWith('/')) {
    if (path !== IMAGE_WORKDIR && !path.startsWith(`${IMAGE_WORKDIR}/`)) throw new Error(`${path} lies outside ${IMAGE_WORKDIR}`);
    return join(stageDir, relative(IMAGE_WORKDIR, path));
  }
  return join(stageDir, path);
}

async function carryOut(stage: Stage, stageDirs: Map<string, string>, dir: string, isRuntime: boolean): Promise<string[]> {
  const skipped: string[] = [];
  await mkdir(dir, { recursive: true });
  const env = buildEnvironment(environmentOf(stage));
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') {
      expect(args).toBe(IMAGE_WORKDIR);
    } else if (keyword === 'COPY') {
      const copy = parseCopy(args);
      const fromDir = copy.from === null ? REPOSITORY_ROOT : (stageDirs.get(copy.from) as string);
      for (const source of copy.sources) {
        const from = copy.from === null ? join(fromDir, source) : hostPath(fromDir, source);
        const into = copy.destination.endsWith('/') ? join(hostPath(dir, copy.destination), source) : hostPath(dir, copy.destination);
        await cp(from, into, { recursive: true, errorOnExist: false });
      }
    } else if (keyword === 'RUN') {
      if (isRuntime) {
        skipped.push(args);
        continue;
      }
      assertSucceeded(await runCommand('sh', ['-c', `cd '${dir}' && ${args}`], { env, timeoutMs: 300_000 }), `${stage.name}: RUN ${args}`);
    }
  }
  return skipped;
}

describe('the Dockerfile, built without Docker', () => {
  let root: string;
  let runtimeDir: string;
  let runtime: Stage;
  let skippedRuns: string[] = [];
  let server: Daemon | undefined;
  let serverEnv: NodeJS.ProcessEnv;
  let port: number;

  beforeAll(async () => {
    root = await makeWorkDir();
    const stages = await readDockerfile();
    runtime = stages.at(-1) as Stage;
    const stageDirs = new Map<string, string>();
    for (const stage of stages) {
      const dir = join(root, stage.name);
      stageDirs.set(stage.name, dir);
      const skipped = await carryOut(stage, stageDirs, dir, stage === runtime);
      if (stage === runtime) skippedRuns = skipped;
    }
    runtimeDir = stageDirs.get(runtime.name) as string;
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await removeWorkDir(root);
  });

  test('skipped only the runtime stage’s user and folder setup', () => {
    expect(skippedRuns).toHaveLength(1);
    expect(skippedRuns[0]).toMatch(/^groupadd /);
  });

  test('the runtime holds dist, bin, migrations, config and production dependencies only', async () => {
    expect((await readdir(runtimeDir)).sort()).toEqual(['bin', 'config', 'dist', 'migrations', 'node_modules', 'package.json']);
    const modules = await readdir(join(runtimeDir, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['express', 'jose', 'pg', '@electric-sql']));
    for (const devOnly of ['typescript', 'jest', '@swc', 'supertest', 'fast-check']) expect(modules).not.toContain(devOnly);
    expect(await readdir(join(runtimeDir, 'dist'))).toEqual(expect.arrayContaining(['main.js', 'cli']));
  });

  test('the image’s CMD starts the server, and its HEALTHCHECK command passes against it', async () => {
    port = await freePort();
    const imageEnv = environmentOf(runtime);
    const stateDir = join(root, 'state');
    // The image's own settings, with its state folders moved under the test's folder.
    const env = Object.fromEntries(Object.entries(imageEnv).map(([name, value]) => [name, value.replace(IMAGE_STATE_DIR, stateDir)]));
    serverEnv = { ...buildEnvironment(env), REGAUTH_PORT: String(port), REGAUTH_HOST: '127.0.0.1', REGAUTH_BCRYPT_COST: '4' };
    const [command, ...args] = execForm(instructionsOf(runtime, 'CMD')[0]?.args as string);
    const healthcheck = parseHealthcheck(instructionsOf(runtime, 'HEALTHCHECK')[0]?.args as string).command;
    const [checkCommand, ...checkArgs] = healthcheck;

    server = await startDaemon({
      name: 'regauth from the runtime stage',
      command: command === 'node' ? process.execPath : (command as string),
      args,
      cwd: runtimeDir,
      env: serverEnv,
      logFile: join(root, 'runtime-server.log'),
      ready: async () => (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) })).ok,
      readyTimeoutMs: 60_000,
    });

    const check = await runCommand(checkCommand === 'node' ? process.execPath : (checkCommand as string), checkArgs, { env: serverEnv });
    expect(check.code).toBe(0);
    expect(server.logs()).toContain('"message":"database migrated"');
  }, 90_000);

  test('the HEALTHCHECK command fails when nothing answers', async () => {
    const [checkCommand, ...checkArgs] = parseHealthcheck(instructionsOf(runtime, 'HEALTHCHECK')[0]?.args as string).command;
    const nothingThere = await freePort();
    const check = await runCommand(checkCommand === 'node' ? process.execPath : (checkCommand as string), checkArgs, {
      env: { ...serverEnv, REGAUTH_PORT: String(nothingThere) },
    });
    expect(check.code).toBe(1);
  });

  test('the regauth CLI of the runtime works next to the running server', async () => {
    const created = await runCommand(
      process.execPath,
      [join(runtimeDir, 'bin/regauth.js'), 'tokens', 'create', '--name', 'image', '--repo', 'team/app', '--scope', 'read_registry', '--json'],
      { env: serverEnv },
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ token: { username: 'deploy-token-1', repositories: ['team/app'] } });
  });
});
