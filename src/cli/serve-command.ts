import { Command } from 'commander';
import { exitOnStartFailure, runServerProcess } from '../server-process.js';
import type { CliIo } from './cli-context.js';

/** `regauth serve`: the server in this very process, so a signal to it (systemd, kill, Ctrl-C) stops the server. */
export function serveCommand(io: CliIo, configFile: () => string | undefined): Command {
  return new Command('serve')
    .description('run the server in this process until SIGTERM or SIGINT (what npm start runs)')
    .action(async () => {
      const file = configFile();
      const env = file === undefined ? io.env : { ...io.env, REGAUTH_CONFIG: file };
      const terminal = (io.stdout as NodeJS.WriteStream).isTTY === true;
      await runServerProcess({ env, cwd: io.cwd, terminal }).catch(exitOnStartFailure);
    });
}
