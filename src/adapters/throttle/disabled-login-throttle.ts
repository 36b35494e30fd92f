import type { LoginThrottle } from '../../app/ports.js';

/** `bruteForce.enabled: false`: every attempt is allowed and nothing is counted. */
export const disabledLoginThrottle: LoginThrottle = {
  recall: () => ({ pendingFailures: false }),
  assertAllowed: async () => ({ pendingFailures: false, addressOverBudget: false }),
  recordFailure: async () => undefined,
  recordTurnedAway: async () => undefined,
  recordSuccess: async () => undefined,
};
