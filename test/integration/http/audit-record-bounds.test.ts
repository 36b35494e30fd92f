import request from 'supertest';
import { MAX_SCOPES_PER_REQUEST } from '../../../src/core/scope.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

/** Far above an ordinary audit row or log line; a request's own size (up to 16 KiB of URL) must not show in either. */
const MAX_RECORD_CHARS = 4_096;

/** As many distinct scopes as a request may carry, as long as the header limit lets them be: about 15 KiB. */
function largestScopeParameter(): string {
  return Array.from({ length: MAX_SCOPES_PER_REQUEST }, (_, index) => `repository:t/${'a'.repeat(20)}${index}:pull,push,delete`).join('+');
}

describe('what one token request can make the audit log and the log record', () => {
  let service: TestRegauth;

  beforeAll(async () => {
    service = await createTestRegauth();
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test('an anonymous request with the most and longest scopes the limits allow makes a small row and small log lines', async () => {
    const response = await request(service.regauth.app)
      .get(`/token?service=registry&client_id=${'c'.repeat(1_000)}&scope=${largestScopeParameter()}`)
      .set('X-Request-Id', 'many-scopes');
    expect(response.status).toBe(200);

    const [row] = (await service.regauth.admin.audit({ event: 'token.issued' })).items;
    expect(row?.details).toMatchObject({ grant: 'anonymous', refusedOmitted: expect.any(Number) });
    expect((row?.details.refused as unknown[]).length + (row?.details.refusedOmitted as number)).toBe(MAX_SCOPES_PER_REQUEST);
    expect(JSON.stringify(row).length).toBeLessThan(MAX_RECORD_CHARS);

    const lines = service.logger.records.filter((record) => record.message === 'audit' || record.message === 'request');
    expect(lines.map((line) => line.message).sort()).toEqual(['audit', 'request']);
    for (const line of lines) expect(JSON.stringify(line).length).toBeLessThan(MAX_RECORD_CHARS);
  });
});
