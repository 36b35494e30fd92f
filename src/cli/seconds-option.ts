import { parseDuration } from '../core/duration.js';
import { CliError } from './keys-command.js';

const WHOLE_SECONDS = /^[0-9]{1,6}$/;

/** `60` or a duration (`1m`, `90s`) as whole seconds, for options whose unit is seconds. */
export function seconds(text: string, option: string): number {
  const trimmed = text.trim();
  if (WHOLE_SECONDS.test(trimmed)) return Number(trimmed);
  const ms = parseDuration(trimmed);
  if (ms === null || ms % 1000 !== 0) throw new CliError(`invalid ${option} "${text.slice(0, 20)}": use seconds or a duration such as 90s, 10m`);
  return ms / 1000;
}
