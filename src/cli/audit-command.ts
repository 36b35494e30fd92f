import { Command, Option } from 'commander';
import type { AuditEventView } from '../app/deploy-token-admin.js';
import { AUDIT_EVENT_TYPES } from '../app/ports.js';
import { escapeControlCharacters } from '../core/control-characters.js';
import { printJson, withAdmin } from './admin-session.js';
import type { CliIo } from './cli-context.js';

interface AuditOptions {
  event?: string;
  token?: string;
  actor?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
}

export function auditCommand(io: CliIo, configFile: () => string | undefined): Command {
  return new Command('audit')
    .description('show the audit log, newest first: token changes, tokens issued, failed logins')
    .addOption(new Option('--event <event>', 'only this kind of event').choices(AUDIT_EVENT_TYPES))
    .option('--token <id-or-username>', 'only events of this deploy token')
    .option('--actor <text>', 'only events whose actor contains this text, in any case (alice, "via ui", cli)')
    .option('--since <when>', 'a duration back from now (24h, 7d) or a date (2026-11-01)')
    .option('--until <when>', 'only events before this: a duration back from now or a date')
    .option('--limit <n>', 'at most this many events (1 to 1000)', '50')
    .option('--json', 'print JSON')
    .action(async (options: AuditOptions) => {
      await withAdmin(io, configFile(), async (admin) => {
        const page = await admin.audit({
          event: options.event,
          token: options.token,
          actor: options.actor,
          since: options.since,
          until: options.until,
          limit: Number(options.limit),
        });
        if (options.json) printJson(io, page.items);
        else io.stdout.write(page.items.length === 0 ? 'No audit events.\n' : page.items.map(renderEvent).join(''));
      });
    });
}

/** One line; usernames, addresses and details come from clients, so their control characters are escaped. */
function renderEvent(event: AuditEventView): string {
  const who = [event.actor && `by ${event.actor}`, event.username && `token ${event.username}`, event.clientIp && `from ${event.clientIp}`]
    .filter(Boolean)
    .join(' ');
  return `${event.occurredAt}  ${event.event.padEnd(17)} ${escapeControlCharacters(`${who}  ${JSON.stringify(event.details)}`)}\n`;
}
