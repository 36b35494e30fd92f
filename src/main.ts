import { exitOnStartFailure, runServerProcess } from './server-process.js';

runServerProcess({ env: process.env, cwd: process.cwd(), terminal: process.stdout.isTTY === true }).catch(exitOnStartFailure);
