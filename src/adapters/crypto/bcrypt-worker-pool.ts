import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { OverloadedError } from '../../app/errors.js';
import type { SecretHasher } from '../../app/ports.js';
import { compiledSibling } from '../runtime/compiled-module.js';
import type { BcryptTask } from './bcrypt-worker.js';

export interface BcryptPoolSettings {
  readonly cost: number;
  /** Worker threads; null: one per core. */
  readonly threads: number | null;
  /** Checks waiting for a thread beyond which new ones are refused with OverloadedError. */
  readonly queueLimit: number;
}

/**
 * bcrypt on worker threads, so a check never stalls the event loop. The queue is bounded: past it a check
 * fails fast with OverloadedError (503, Retry-After) instead of every caller's latency growing without end.
 */
export class BcryptWorkerPool implements SecretHasher {
  private readonly pool: Piscina<BcryptTask, string | boolean>;

  constructor(private readonly settings: BcryptPoolSettings) {
    const threads = settings.threads ?? availableParallelism();
    this.pool = new Piscina({
      filename: workerScript(),
      minThreads: threads,
      maxThreads: threads,
      maxQueue: settings.queueLimit,
      idleTimeout: Number.POSITIVE_INFINITY,
      // The lowest priority: when the event loop and bcrypt both want a core, the event loop gets it, so a
      // flood of new or wrong secrets slows other new secrets down, not requests the cache can answer.
      niceIncrement: 19,
      // bcryptjs makes small, short-lived garbage: a small young generation does, where V8's default lets
      // each thread's grow by tens of MB under a flood of wrong passwords.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  queueDepth(): number {
    return this.pool.queueSize;
  }

  async hash(secret: string): Promise<string> {
    return (await this.run({ operation: 'hash', secret, cost: this.settings.cost })) as string;
  }

  async verify(secret: string, hash: string): Promise<boolean> {
    return (await this.run({ operation: 'verify', secret, hash })) as boolean;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }

  private run(task: BcryptTask): Promise<string | boolean> {
    if (this.pool.queueSize >= this.settings.queueLimit) return Promise.reject(new OverloadedError('secret verification'));
    return this.pool.run(task);
  }
}

/** The compiled worker; under the tests, which run the TypeScript sources, the one `npm run build` made. */
function workerScript(): string {
  return compiledSibling(import.meta.url, 'bcrypt-worker.js');
}
