import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './repository.js';

/** One Dockerfile instruction, continuation lines joined, its keyword upper-cased. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

export interface CopyInstruction {
  readonly from: string | null;
  readonly sources: readonly string[];
  readonly destination: string;
}

/**
 * Parses the subset of Dockerfile syntax this project uses: comments, `\` continuations and
 * `FROM image AS name`. Every stage must be named, so COPY --from can name it.
 */
export function parseDockerfile(text: string): Stage[] {
  const logicalLines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logicalLines.push((pending + line).trim());
    pending = '';
  }
  if (pending !== '') logicalLines.push(pending.trim());

  const stages: { name: string; base: string; instructions: Instruction[] }[] = [];
  for (const line of logicalLines.filter((candidate) => candidate !== '')) {
    const match = /^(\S+)\s+([\s\S]*)$/.exec(line);
    if (match === null) throw new Error(`cannot parse Dockerfile line: ${line}`);
    const keyword = (match[1] as string).toUpperCase();
    const args = (match[2] as string).trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
      if (from === null) throw new Error(`every stage must be named (FROM image AS name): ${line}`);
      stages.push({ base: from[1] as string, name: from[2] as string, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`instruction before the first FROM: ${line}`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

export async function readDockerfile(): Promise<Stage[]> {
  return parseDockerfile(await readFile(join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8'));
}

export const instructionsOf = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword);

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK's CMD. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`expected the exec form ["command", "arg", ...], got ${args}`);
  }
  return parsed;
}

/** The variables a stage's ENV instructions set (KEY=value form, unquoted values). */
export function environmentOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructionsOf(stage, 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new Error(`expected ENV KEY=value, got ${pair}`);
      env[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
  }
  return env;
}

export function parseCopy(args: string): CopyInstruction {
  const words = args.split(/\s+/);
  let from: string | null = null;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() as string;
    const fromFlag = /^--from=(.+)$/.exec(flag);
    if (fromFlag === null) throw new Error(`unsupported COPY flag ${flag}`);
    from = fromFlag[1] as string;
  }
  const destination = words.pop();
  if (destination === undefined || words.length === 0) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: words, destination };
}

/** HEALTHCHECK's options and the exec form of its command. */
export function parseHealthcheck(args: string): { options: Record<string, string>; command: string[] } {
  const match = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(\[[\s\S]*\])$/.exec(args);
  if (match === null) throw new Error(`expected HEALTHCHECK [--option=value ...] CMD ["..."], got ${args}`);
  const options = Object.fromEntries(
    (match[1] as string)
      .trim()
      .split(/\s+/)
      .filter((option) => option !== '')
      .map((option) => option.slice(2).split('=') as [string, string]),
  );
  return { options, command: execForm(match[2] as string) };
}
