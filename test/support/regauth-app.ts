import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/app/ports.js';
import { loadConfig, type RegauthConfig } from '../../src/adapters/config/load-config.js';
import { createRegauthApp, type Overrides, type RegauthApp } from '../../src/composition-root.js';
import { RecordingLogger } from './recording-logger.js';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date): void {
    this.current = to;
  }

  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }
}

export interface TestRegauth {
  readonly regauth: RegauthApp;
  readonly config: RegauthConfig;
  readonly logger: RecordingLogger;
  close(): Promise<void>;
}

/** The whole service, built by the composition root on an embedded store in a temp folder. */
export async function createTestRegauth(overrides: Overrides = {}, env: NodeJS.ProcessEnv = {}): Promise<TestRegauth> {
  const dir = await mkdtemp(join(tmpdir(), 'regauth-http-'));
  const config = loadConfig(
    {
      REGAUTH_DATA_DIR: join(dir, 'data'),
      REGAUTH_KEYS_DIR: join(dir, 'keys'),
      REGAUTH_BCRYPT_COST: '4',
      ...env,
    },
    dir,
  );
  const logger = new RecordingLogger();
  const regauth = await createRegauthApp(config, { logger, ...overrides });
  return {
    regauth,
    config,
    logger,
    close: async () => {
      await regauth.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
