import { readFile } from 'node:fs/promises';
import { CredentialProviderError } from './credential-provider-error.js';
import { provideCredentials } from './credential-provider.js';
import { exchangeServiceAccountToken } from './exchange-client.js';
import { parseProviderOptions } from './provider-options.js';

const MAXIMUM_REQUEST_BYTES = 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAXIMUM_REQUEST_BYTES) throw new CredentialProviderError(`the request on stdin is larger than ${MAXIMUM_REQUEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readCa(caFile: string | undefined): Promise<string | undefined> {
  if (caFile === undefined) return undefined;
  try {
    return await readFile(caFile, 'utf8');
  } catch (error) {
    throw new CredentialProviderError(`cannot read the CA file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function run(): Promise<void> {
  const options = parseProviderOptions(process.argv.slice(2), process.env);
  const ca = await readCa(options.caFile);
  const response = await provideCredentials(await readStdin(), options, ca, exchangeServiceAccountToken);
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

// The kubelet logs stderr and pulls without credentials on a non-zero exit: one line, never a secret.
run().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    const reason = error instanceof CredentialProviderError ? error.message : 'internal error';
    process.stderr.write(`regauth-credential-provider: ${reason}\n`);
    process.exitCode = 1;
  },
);
