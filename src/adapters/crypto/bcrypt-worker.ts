import bcrypt from 'bcryptjs';

export type BcryptTask =
  | { readonly operation: 'hash'; readonly secret: string; readonly cost: number }
  | { readonly operation: 'verify'; readonly secret: string; readonly hash: string };

/** Runs in a worker thread: synchronous bcrypt is the fastest bcryptjs there is, and blocks only this thread. */
export default function runBcryptTask(task: BcryptTask): string | boolean {
  return task.operation === 'hash' ? bcrypt.hashSync(task.secret, task.cost) : bcrypt.compareSync(task.secret, task.hash);
}
