import { RegauthError } from '../core/regauth-error.js';
import { ServiceUnavailableError } from './errors.js';

/**
 * Runs a call to a dependency (store, signing key) so that any failure that is not one of ours becomes
 * ServiceUnavailableError: a broken dependency must answer 503 and grant nothing.
 */
export async function unavailableOnFailure<T>(dependency: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RegauthError) throw error;
    throw new ServiceUnavailableError(dependency, { cause: error });
  }
}
