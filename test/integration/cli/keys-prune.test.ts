import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, listSigningKeys } from '../../../src/adapters/keys/key-directory.js';
import { environmentIn, regauth } from './cli-harness.js';

const HOUR_MS = 3_600_000;

describe('keys prune keeps a retired key until every token it signed has expired', () => {
  let dir: string;
  let keysDir: string;
  // The default lifetime is short, but a deploy token may ask for up to a day.
  const env = () => environmentIn(dir, { REGAUTH_TOKEN_LIFETIME: '300', REGAUTH_TOKEN_MAX_LIFETIME: '86400' });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rgprune-'));
    keysDir = join(dir, 'keys');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Keys that started signing these many hours ago, oldest first; the last one signs now. */
  async function keysActivated(...hoursAgo: number[]): Promise<void> {
    const now = Date.now();
    for (const hours of hoursAgo) {
      await generateSigningKey(keysDir, new Date(now), { activatesAt: new Date(now - hours * HOUR_MS), algorithm: 'ES256' });
    }
  }

  test('a key retired 2 h ago stays: a token it signed may live token.maxLifetimeSeconds (1 d)', async () => {
    await keysActivated(3, 2);
    const before = (await listSigningKeys(keysDir)).map((key) => key.keyFile);

    expect(await regauth(env(), dir, ['keys', 'prune'])).toEqual({
      code: 0,
      stdout: 'Nothing to prune: no key was retired more than 1d1h1m ago.\n',
      stderr: '',
    });
    expect((await listSigningKeys(keysDir)).map((key) => key.keyFile)).toEqual(before);
  });

  test('a key retired longer than token.maxLifetimeSeconds plus the margin is deleted', async () => {
    await keysActivated(30, 26);
    const [retired, signing] = await listSigningKeys(keysDir);

    const result = await regauth(env(), dir, ['keys', 'prune']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Deleted 1 key(s):\n  ${retired?.keyId}  ${retired?.keyFile}\n`);
    expect((await listSigningKeys(keysDir)).map((key) => key.keyFile)).toEqual([signing?.keyFile]);
  });
});
