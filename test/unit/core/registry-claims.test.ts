import type { AccessEntry } from '../../../src/core/access-policy.js';
import {
  buildRegistryClaims,
  MIN_TOKEN_LIFETIME_SECONDS,
  NOT_BEFORE_SKEW_SECONDS,
} from '../../../src/core/registry-claims.js';
import type { RegistryClaimsInput } from '../../../src/core/registry-claims.js';

const ACCESS: AccessEntry[] = [
  { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
  { type: 'repository', name: 'team/base', actions: ['pull'] },
];

// 2026-11-23T10:00:00.999Z is 1795428000.999 s after the epoch.
const INPUT: RegistryClaimsInput = {
  issuer: 'regauth',
  service: 'registry.example.com',
  subject: 'ci-bot',
  access: ACCESS,
  issuedAt: new Date('2026-11-23T10:00:00.999Z'),
  lifetimeSeconds: 300,
  jwtId: 'c0ffee00-0000-4000-8000-000000000001',
};

describe('buildRegistryClaims', () => {
  test('the constants are 60 s minimum lifetime and 5 s of nbf skew', () => {
    expect(MIN_TOKEN_LIFETIME_SECONDS).toBe(60);
    expect(NOT_BEFORE_SKEW_SECONDS).toBe(5);
  });

  test('builds the exact claims, with iat the floor of the issue time in seconds', () => {
    const claims = buildRegistryClaims(INPUT);
    expect(claims).toStrictEqual({
      iss: 'regauth',
      sub: 'ci-bot',
      aud: 'registry.example.com',
      iat: 1_795_428_000,
      nbf: 1_795_427_995,
      exp: 1_795_428_300,
      jti: 'c0ffee00-0000-4000-8000-000000000001',
      access: ACCESS,
    });
    expect(Object.keys(claims)).toStrictEqual(['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti', 'access']);
  });

  test('serialises to the exact JSON payload', () => {
    expect(JSON.stringify(buildRegistryClaims(INPUT))).toBe(
      '{"iss":"regauth","sub":"ci-bot","aud":"registry.example.com","iat":1795428000,"nbf":1795427995,' +
        '"exp":1795428300,"jti":"c0ffee00-0000-4000-8000-000000000001","access":[' +
        '{"type":"repository","name":"team/app","actions":["pull","push"]},' +
        '{"type":"repository","name":"team/base","actions":["pull"]}]}',
    );
  });

  test('has no sub key at all for an anonymous caller', () => {
    const { subject: _subject, ...anonymous } = INPUT;
    const claims = buildRegistryClaims({ ...anonymous, access: [] });
    expect('sub' in claims).toBe(false);
    expect(claims).toStrictEqual({
      iss: 'regauth',
      aud: 'registry.example.com',
      iat: 1_795_428_000,
      nbf: 1_795_427_995,
      exp: 1_795_428_300,
      jti: 'c0ffee00-0000-4000-8000-000000000001',
      access: [],
    });
  });

  test('aud is a single JSON string, never an array', () => {
    const claims = buildRegistryClaims(INPUT);
    expect(typeof claims.aud).toBe('string');
    expect(Array.isArray(claims.aud)).toBe(false);
  });

  test.each<[string, string, number]>([
    ['a whole second', '2026-11-23T10:00:00.000Z', 1_795_428_000],
    ['one millisecond past', '2026-11-23T10:00:00.001Z', 1_795_428_000],
    ['half a second past', '2026-11-23T10:00:00.500Z', 1_795_428_000],
    ['one millisecond before the next second', '2026-11-23T10:00:00.999Z', 1_795_428_000],
    ['the epoch', '1970-01-01T00:00:00.000Z', 0],
  ])('timestamps are integers: %s', (_label, issuedAt, iat) => {
    const claims = buildRegistryClaims({ ...INPUT, issuedAt: new Date(issuedAt), lifetimeSeconds: 60 });
    expect(claims.iat).toBe(iat);
    expect(claims.nbf).toBe(iat - 5);
    expect(claims.exp).toBe(iat + 60);
    for (const value of [claims.iat, claims.nbf, claims.exp]) expect(Number.isInteger(value)).toBe(true);
  });

  test('accepts exactly the minimum lifetime of 60 s', () => {
    expect(buildRegistryClaims({ ...INPUT, lifetimeSeconds: 60 }).exp).toBe(1_795_428_060);
  });

  test.each([59, 0, -300, 60.5, 299.999, Number.NaN, Number.POSITIVE_INFINITY])(
    'a lifetime of %p s throws a RangeError',
    (lifetimeSeconds) => {
      expect(() => buildRegistryClaims({ ...INPUT, lifetimeSeconds })).toThrow(
        new RangeError('token lifetime must be an integer of at least 60 seconds'),
      );
      expect(() => buildRegistryClaims({ ...INPUT, lifetimeSeconds })).toThrow(RangeError);
    },
  );
});
