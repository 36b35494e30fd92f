import type { Clock, Logger } from '../../app/ports.js';
import { scheduleKeys } from '../../core/key-schedule.js';
import { listKeyStamps, readKeyPair, readSigningKeysByStamp } from './key-directory.js';
import { SigningKeyError, type SigningKey } from './signing-key.js';

/** Where a signer gets the key to sign with, at the moment it signs. */
export interface SigningKeySource {
  signingKey(): SigningKey;
}

/**
 * The keys of the keys folder, held in memory, and the one that signs now by the clock (so a staged key
 * takes over at its activation time to the millisecond, whatever the reload interval). `refresh` re-reads
 * the folder: a readdir only, unless the set of key files changed; then it reads just the new ones. That
 * is how replicas that mount the folder from a Kubernetes Secret pick up a rotated key without a restart.
 */
export class KeyRing implements SigningKeySource {
  private readonly keys = new Map<string, SigningKey>();
  private listing = '';
  private lastSigningKeyId: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly onHangup = () => {
    this.logger.info('SIGHUP: re-reading the keys folder', { dir: this.dir });
    void this.refresh();
  };

  private constructor(
    private readonly dir: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Reads every key in `dir`; an unusable key file is an error here (at start-up), a warning on refresh. */
  static async open(dir: string, clock: Clock, logger: Logger): Promise<KeyRing> {
    const ring = new KeyRing(dir, clock, logger);
    for (const [stamp, key] of await readSigningKeysByStamp(dir)) ring.keys.set(stamp, key);
    ring.listing = [...ring.keys.keys()].join(',');
    ring.lastSigningKeyId = ring.keys.size === 0 ? null : ring.signingKey().keyId;
    return ring;
  }

  /** Every key held, oldest activation first. */
  all(): SigningKey[] {
    return [...this.keys.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, key]) => key);
  }

  signingKey(): SigningKey {
    const schedule = scheduleKeys(this.all(), this.clock.now());
    const key = schedule.signing;
    if (key === null) throw new SigningKeyError(`no live signing key in ${this.dir}`);
    if (key.keyId !== this.lastSigningKeyId) {
      this.lastSigningKeyId = key.keyId;
      const fields = { keyId: key.keyId, algorithm: key.algorithm, keyFile: key.keyFile, activatesAt: key.activatesAt.toISOString() };
      if (schedule.signingEarly) this.logger.warn('signing with a key before its activation time: no key has reached it', fields);
      else this.logger.info('signing key activated', fields);
    }
    return key;
  }

  /**
   * Re-reads the folder; true when the set of keys changed. Never throws: a key file it cannot use, or a
   * folder it cannot read, is logged and the keys it holds stay in use (the next refresh tries again).
   * A folder that has lost every key keeps the ones held too: an empty ring would refuse every token.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.reread().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Re-reads every `intervalMs` (0: never) and on SIGHUP, until stop(). The timer does not keep the process alive. */
  start(intervalMs: number): void {
    if (intervalMs > 0 && this.timer === null) {
      this.timer = setInterval(() => void this.refresh(), intervalMs);
      this.timer.unref();
    }
    process.on('SIGHUP', this.onHangup);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    process.off('SIGHUP', this.onHangup);
  }

  private async reread(): Promise<boolean> {
    let stamps: string[];
    try {
      stamps = await listKeyStamps(this.dir);
    } catch (error) {
      this.logger.warn('cannot re-read the keys folder; signing with the keys already loaded', { error: (error as Error).message });
      return false;
    }
    const listing = stamps.join(',');
    if (listing === this.listing) return false;
    if (stamps.length === 0) {
      this.logger.warn('the keys folder has no key any more; signing with the keys already loaded', { dir: this.dir });
      return false;
    }
    const added: [string, SigningKey][] = [];
    try {
      for (const stamp of stamps) if (!this.keys.has(stamp)) added.push([stamp, await readKeyPair(this.dir, stamp)]);
    } catch (error) {
      this.logger.warn('a new key file cannot be used yet; keeping the keys already loaded', { error: (error as Error).message });
      return false;
    }
    const kept = new Set(stamps);
    const removed = [...this.keys.entries()].filter(([stamp]) => !kept.has(stamp));
    for (const [stamp] of removed) this.keys.delete(stamp);
    for (const [stamp, key] of added) this.keys.set(stamp, key);
    this.listing = listing;
    this.logger.info('keys folder changed', {
      added: added.map(([, key]) => ({ keyId: key.keyId, algorithm: key.algorithm, activatesAt: key.activatesAt.toISOString() })),
      removed: removed.map(([, key]) => key.keyId),
    });
    return true;
  }
}
