import { DeployTokenUseRecorder } from '../../../src/app/deploy-token-use-recorder.js';
import type { DeployTokenUse } from '../../../src/app/ports.js';
import type { DeployToken } from '../../../src/core/deploy-token.js';
import { InMemoryDeployTokenStore } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** Keeps each recordUses call as one batch. */
class BatchRecordingStore extends InMemoryDeployTokenStore {
  readonly calls: DeployTokenUse[][] = [];

  override async recordUses(uses: readonly DeployTokenUse[]): Promise<void> {
    this.calls.push([...uses]);
    return super.recordUses(uses);
  }
}

function token(id: number, lastUsedAt: Date | null = null, lastUsedIp: string | null = null): DeployToken {
  return {
    id,
    name: `t${id}`,
    username: `deploy-token-${id}`,
    secretHash: 'hash',
    repositories: ['team/app'],
    scopes: ['read_registry'],
    expiresAt: null,
    revokedAt: null,
    createdAt: T0,
    lastUsedAt,
    lastUsedIp,
    tokenLifetimeSeconds: null,
    updatedAt: null,
    secretGeneration: 1,
    secretIssuedAt: T0,
    secretIssuedBy: null,
  };
}

describe('DeployTokenUseRecorder', () => {
  let store: BatchRecordingStore;
  let recorder: DeployTokenUseRecorder;

  beforeEach(() => {
    store = new BatchRecordingStore();
    recorder = new DeployTokenUseRecorder(store, new RecordingLogger());
  });

  test('nothing is written before a flush; a flush writes the batch in one recordUses call', async () => {
    recorder.record(token(1), T0, '10.0.0.1');
    recorder.record(token(2), T0, '10.0.0.2');
    recorder.record(token(3), T0, null);
    expect(store.calls).toStrictEqual([]);
    await recorder.flush();
    expect(store.calls).toStrictEqual([
      [
        { id: 1, at: T0, clientIp: '10.0.0.1' },
        { id: 2, at: T0, clientIp: '10.0.0.2' },
        { id: 3, at: T0, clientIp: null },
      ],
    ]);
    await recorder.flush();
    expect(store.calls).toHaveLength(1);
  });

  test('the same token from the same address within 60 s is not queued again', async () => {
    recorder.record(token(1), T0, '10.0.0.1');
    recorder.record(token(1), at(1_000), '10.0.0.1');
    recorder.record(token(1), at(59_999), '10.0.0.1');
    await recorder.flush();
    expect(store.calls).toStrictEqual([[{ id: 1, at: T0, clientIp: '10.0.0.1' }]]);
  });

  test('after 60 s the same address is queued again', async () => {
    recorder.record(token(1), T0, '10.0.0.1');
    recorder.record(token(1), at(60_000), '10.0.0.1');
    recorder.record(token(1), at(61_000), '10.0.0.1');
    await recorder.flush();
    expect(store.calls).toStrictEqual([
      [
        { id: 1, at: T0, clientIp: '10.0.0.1' },
        { id: 1, at: at(60_000), clientIp: '10.0.0.1' },
      ],
    ]);
  });

  test('a new address is queued at once, and the coalescing then follows the new address', async () => {
    recorder.record(token(1), T0, '10.0.0.1');
    recorder.record(token(1), at(1_000), '10.0.0.2');
    recorder.record(token(1), at(2_000), '10.0.0.2');
    recorder.record(token(1), at(3_000), null);
    await recorder.flush();
    expect(store.calls).toStrictEqual([
      [
        { id: 1, at: T0, clientIp: '10.0.0.1' },
        { id: 1, at: at(1_000), clientIp: '10.0.0.2' },
        { id: 1, at: at(3_000), clientIp: null },
      ],
    ]);
  });

  test('coalescing is per token', async () => {
    recorder.record(token(1), T0, '10.0.0.1');
    recorder.record(token(2), at(1_000), '10.0.0.1');
    recorder.record(token(1), at(2_000), '10.0.0.1');
    recorder.record(token(2), at(3_000), '10.0.0.1');
    await recorder.flush();
    expect(store.calls).toStrictEqual([
      [
        { id: 1, at: T0, clientIp: '10.0.0.1' },
        { id: 2, at: at(1_000), clientIp: '10.0.0.1' },
      ],
    ]);
  });

  test('a use the store already knows (same address, within 60 s) is not queued', async () => {
    recorder.record(token(1, at(-30_000), '10.0.0.1'), T0, '10.0.0.1');
    recorder.record(token(2, at(-30_000), '10.0.0.1'), T0, '10.0.0.9');
    recorder.record(token(3, at(-60_000), '10.0.0.1'), T0, '10.0.0.1');
    await recorder.flush();
    expect(store.calls).toStrictEqual([
      [
        { id: 2, at: T0, clientIp: '10.0.0.9' },
        { id: 3, at: T0, clientIp: '10.0.0.1' },
      ],
    ]);
  });

  test('uses recorded after a flush go in the next one', async () => {
    recorder.record(token(1), T0, '10.0.0.1');
    await recorder.flush();
    recorder.record(token(2), T0, '10.0.0.1');
    await recorder.flush();
    expect(store.calls.map((call) => call.map((use) => use.id))).toStrictEqual([[1], [2]]);
  });

  test('a failed write is logged and not retried (last use is only a hint)', async () => {
    const logger = new RecordingLogger();
    recorder = new DeployTokenUseRecorder(store, logger);
    store.failWith = new Error('database down');
    recorder.record(token(1), T0, '10.0.0.1');
    await expect(recorder.flush()).resolves.toBeUndefined();
    store.failWith = null;
    await recorder.flush();
    expect(store.calls).toStrictEqual([[{ id: 1, at: T0, clientIp: '10.0.0.1' }]]);
    expect(logger.records).toStrictEqual([
      { level: 'warn', message: 'could not write deploy-token last-use times', fields: { count: 1, error: 'Error: database down' } },
    ]);
  });
});
