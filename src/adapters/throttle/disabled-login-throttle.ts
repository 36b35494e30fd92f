import type { LoginThrottle } from '../../app/ports.js';

/** `bruteForce.enabled: false`: every attempt is allowed and nothing is counted. */
export const disabledLoginThrottle: LoginThrottle = {
  assertAllowed: async () => undefined,
  recordFailure: async () => undefined,
  recordSuccess: async () => undefined,
};
