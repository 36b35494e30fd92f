import { scheduleKeys } from '../../core/key-schedule.js';
import type { SigningKey } from '../keys/signing-key.js';

export interface KeySummary {
  readonly status: string;
  readonly keyId: string;
  readonly thumbprint: string;
  readonly algorithm: string;
  readonly activatesAt: string;
  readonly certificateExpiresAt: string;
}

/** The keys the server holds, in the schedule `regauth keys list` shows. */
export function summarizeKeys(keys: readonly SigningKey[], now: Date): KeySummary[] {
  return scheduleKeys(keys, now).entries.map(({ key, status }) => ({
    status,
    keyId: key.keyId,
    thumbprint: key.thumbprint,
    algorithm: key.algorithm,
    activatesAt: key.activatesAt.toISOString(),
    certificateExpiresAt: key.notAfter.toISOString(),
  }));
}
