/** What the schedule needs to know of a signing key. */
export interface ScheduledKey {
  /** When it starts signing: the stamp in its file names. */
  readonly activatesAt: Date;
  /** Its certificate's notAfter: after this the key is no longer live. */
  readonly notAfter: Date;
}

/**
 * - `signing`: signs new tokens now.
 * - `next`: live, activates later; already in the bundle and the JWKS file so the registry trusts it first.
 * - `retired`: live, was replaced by a newer key; still published, since tokens it signed may be unexpired.
 * - `expired`: its certificate is past notAfter; never signs and is left out of the bundle and JWKS.
 */
export type KeyStatus = 'signing' | 'next' | 'retired' | 'expired';

export interface KeyScheduleEntry<K extends ScheduledKey> {
  readonly key: K;
  readonly status: KeyStatus;
  /** For a retired key: when the key after it took over, the last moment it signed. Else null. */
  readonly retiredAt: Date | null;
}

export interface KeySchedule<K extends ScheduledKey> {
  /** Every key, ordered by activation time. */
  readonly entries: readonly KeyScheduleEntry<K>[];
  /** The key that signs now, or null when no key is live. */
  readonly signing: K | null;
  /**
   * True when no live key has reached its activation time yet and the one that activates first signs
   * early (a folder whose older keys were removed too soon): better than refusing every token.
   */
  readonly signingEarly: boolean;
}

const isLive = (key: ScheduledKey, now: Date) => key.notAfter.getTime() > now.getTime();

/**
 * Which key signs at `now`: the live key with the latest activation time that has come. Keys are ordered
 * by activation time; equal times (impossible for keys named by stamp) keep their given order.
 */
export function scheduleKeys<K extends ScheduledKey>(keys: readonly K[], now: Date): KeySchedule<K> {
  const ordered = keys
    .map((key, index) => ({ key, index }))
    .sort((a, b) => a.key.activatesAt.getTime() - b.key.activatesAt.getTime() || a.index - b.index)
    .map(({ key }) => key);
  const live = ordered.filter((key) => isLive(key, now));
  const active = live.filter((key) => key.activatesAt.getTime() <= now.getTime());
  const signing = active.at(-1) ?? live[0] ?? null;
  const entries = ordered.map((key, position): KeyScheduleEntry<K> => {
    if (!isLive(key, now)) return { key, status: 'expired', retiredAt: null };
    if (key === signing) return { key, status: 'signing', retiredAt: null };
    if (key.activatesAt.getTime() > now.getTime()) return { key, status: 'next', retiredAt: null };
    const successor = ordered[position + 1] as K;
    return { key, status: 'retired', retiredAt: successor.activatesAt };
  });
  return { entries, signing, signingEarly: signing !== null && active.length === 0 };
}

/** The registry's leeway on `exp` (60 s), plus an hour for replicas that read a new key late and for clock skew. */
export const RETIRED_KEY_MARGIN_MS = 60_000 + 3_600_000;

/**
 * How long a retired key stays published after it stopped signing. A deploy token's own lifetime can reach
 * `token.maxLifetimeSeconds`, so a token signed at the last moment lives that long, not the default lifetime.
 */
export function retiredKeyRetentionMs(maxTokenLifetimeSeconds: number): number {
  return maxTokenLifetimeSeconds * 1000 + RETIRED_KEY_MARGIN_MS;
}

/**
 * Keys whose files may be deleted at `now`: expired ones, and retired ones that stopped signing more than
 * `keepRetiredMs` ago (see `retiredKeyRetentionMs`). The signing key and the next ones are never in the list.
 */
export function prunableKeys<K extends ScheduledKey>(keys: readonly K[], now: Date, keepRetiredMs: number): K[] {
  return scheduleKeys(keys, now)
    .entries.filter(
      ({ status, retiredAt }) =>
        status === 'expired' || (status === 'retired' && (retiredAt as Date).getTime() + keepRetiredMs <= now.getTime()),
    )
    .map(({ key }) => key);
}
