import { restartWithBaselineWasmCompiler } from '../../src/wasm-baseline-compiler.js';

// Every call passes its own execve (or null): the real one would replace the test runner's process.

describe('restartWithBaselineWasmCompiler', () => {
  test('replaces the process with one started with --liftoff-only, keeping its other flags and arguments', () => {
    const calls: unknown[][] = [];
    const execve = ((...args: unknown[]) => {
      calls.push(args);
      throw new Error('replaced');
    }) as never;

    expect(() => restartWithBaselineWasmCompiler(['--enable-source-maps'], execve)).toThrow('replaced');

    const [file, args, env] = calls[0] as [string, string[], NodeJS.ProcessEnv];
    expect(file).toBe(process.execPath);
    expect(args.slice(0, 3)).toEqual([process.execPath, '--liftoff-only', '--enable-source-maps']);
    expect(args.slice(3)).toEqual(process.argv.slice(1));
    expect(env).toBe(process.env);
  });

  test.each([['--liftoff-only'], ['--no-liftoff-only']])('leaves a process started with %s alone', (flag) => {
    const execve = (() => {
      throw new Error('must not restart');
    }) as never;
    expect(restartWithBaselineWasmCompiler(['--max-old-space-size=256', flag], execve)).toBe('already');
  });

  test('goes on without the flag where Node has no execve', () => {
    expect(restartWithBaselineWasmCompiler([], null)).toBe('unavailable');
  });
});
