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

/** A port whose every method runs through unavailableOnFailure: the use cases behind the admin API and CLI. */
export function failClosed<Port extends object>(dependency: string, port: Port): Port {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => unavailableOnFailure(dependency, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}
