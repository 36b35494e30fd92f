import { spawn } from 'node:child_process';

export type OpenApiCheck = { readonly valid: true; readonly dereferenced: unknown } | { readonly valid: false; readonly error: string };

// @apidevtools/swagger-parser is CommonJS that requires an ES module, which Node loads but jest's module
// registry does not: it runs in a plain node process, fed the document on stdin.
const SCRIPT = `
const SwaggerParser = require('@apidevtools/swagger-parser');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  try {
    await SwaggerParser.validate(structuredClone(JSON.parse(input)));
    const dereferenced = await SwaggerParser.dereference(structuredClone(JSON.parse(input)));
    process.stdout.write(JSON.stringify({ valid: true, dereferenced }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ valid: false, error: String(error && error.message || error) }));
  }
});`;

/** Validates an OpenAPI document with swagger-parser (`SwaggerParser.validate`) and returns it dereferenced. */
export function checkOpenApiDocument(document: unknown, cwd: string = process.cwd()): Promise<OpenApiCheck> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRIPT], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as OpenApiCheck);
      } catch {
        reject(new Error(`the OpenAPI validator exited ${code}: ${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(document));
  });
}
