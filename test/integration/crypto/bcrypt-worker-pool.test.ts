import bcrypt from 'bcryptjs';
import { BcryptWorkerPool } from '../../../src/adapters/crypto/bcrypt-worker-pool.js';
import { OverloadedError } from '../../../src/app/errors.js';

describe('BcryptWorkerPool', () => {
  test('hashes on its threads with the configured cost, and verifies right and wrong secrets', async () => {
    const pool = new BcryptWorkerPool({ cost: 5, threads: 2, queueLimit: 10 });
    try {
      const hash = await pool.hash('the secret');
      expect(bcrypt.getRounds(hash)).toBe(5);
      expect(await bcrypt.compare('the secret', hash)).toBe(true);
      await expect(pool.verify('the secret', hash)).resolves.toBe(true);
      await expect(pool.verify('another secret', hash)).resolves.toBe(false);
      expect(pool.threads).toBe(2);
    } finally {
      await pool.close();
    }
  });

  test('past its queue limit a check fails at once with OverloadedError; the checks it took all finish', async () => {
    const hash = bcrypt.hashSync('the secret', 11);
    const pool = new BcryptWorkerPool({ cost: 11, threads: 1, queueLimit: 2 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => pool.verify('the secret', hash)));
      const refused = results.filter((result) => result.status === 'rejected');
      const done = results.filter((result) => result.status === 'fulfilled');

      expect(refused.length).toBeGreaterThanOrEqual(5);
      for (const result of refused) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(OverloadedError);
      for (const result of done) expect((result as PromiseFulfilledResult<boolean>).value).toBe(true);
      expect(pool.queueDepth()).toBe(0);
      await expect(pool.verify('the secret', hash)).resolves.toBe(true);
    } finally {
      await pool.close();
    }
  });
});
