import { restartWithEmbeddedStoreFlags } from '../../src/embedded-store-runtime.js';

// Every call passes its own execve (or null): the real one would replace the test runner's process.
type Call = [file: string, args: string[], env: NodeJS.ProcessEnv];

function recordingExecve(calls: Call[]) {
  return ((...args: Call) => {
    calls.push(args);
    throw new Error('replaced');
  }) as never;
}

describe('restartWithEmbeddedStoreFlags', () => {
  test('replaces the process with one started with the flags it lacks, keeping its other flags and arguments', () => {
    const calls: Call[] = [];
    expect(() => restartWithEmbeddedStoreFlags(['--enable-source-maps'], recordingExecve(calls))).toThrow('replaced');

    const [file, args, env] = calls[0] as Call;
    expect(file).toBe(process.execPath);
    expect(args.slice(0, 4)).toEqual([process.execPath, '--liftoff-only', '--max-semi-space-size=4', '--enable-source-maps']);
    expect(args.slice(4)).toEqual(process.argv.slice(1));
    expect(env).toBe(process.env);
  });

  test('a flag the operator set is kept as set, and only the other one is added', () => {
    const calls: Call[] = [];
    expect(() => restartWithEmbeddedStoreFlags(['--max_semi_space_size=16'], recordingExecve(calls))).toThrow('replaced');
    expect((calls[0] as Call)[1].slice(1, 3)).toEqual(['--liftoff-only', '--max_semi_space_size=16']);
  });

  test.each([
    [['--liftoff-only', '--max-semi-space-size=4']],
    [['--no-liftoff-only', '--max-semi-space-size=32']],
  ])('leaves a process started with %j alone', (flags) => {
    const execve = (() => {
      throw new Error('must not restart');
    }) as never;
    expect(restartWithEmbeddedStoreFlags(flags, execve)).toBe('already');
  });

  test('goes on without the flags where Node has no execve', () => {
    expect(restartWithEmbeddedStoreFlags([], null)).toBe('unavailable');
  });
});
