import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';

/** The samples of the text format, `name{labels} value`, without HELP and TYPE lines. */
function samples(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('PrometheusMetrics', () => {
  test('gauges read their sources at each scrape', async () => {
    let depth = 3;
    let cache = { hits: 10, misses: 4, rememberedFailures: 2, size: 7 };
    const pool = { total: 5, idle: 2, waiting: 1, max: 10 };
    const metrics = new PrometheusMetrics(
      { bcryptQueueDepth: () => depth, credentialCache: () => cache, databasePool: () => pool },
      { defaultMetrics: false },
    );
    const first = samples(await metrics.text());
    expect(first).toEqual(
      expect.arrayContaining([
        'regauth_bcrypt_queue_depth 3',
        'regauth_credential_cache_lookups_total{result="hit"} 10',
        'regauth_credential_cache_lookups_total{result="miss"} 4',
        'regauth_credential_cache_lookups_total{result="remembered_failure"} 2',
        'regauth_credential_cache_entries 7',
        'regauth_db_pool_connections{state="idle"} 2',
        'regauth_db_pool_connections{state="in_use"} 3',
        'regauth_db_pool_waiting_queries 1',
        'regauth_db_pool_max_connections 10',
      ]),
    );

    depth = 0;
    cache = { hits: 25, misses: 5, rememberedFailures: 2, size: 9 };
    const second = samples(await metrics.text());
    expect(second).toEqual(
      expect.arrayContaining([
        'regauth_bcrypt_queue_depth 0',
        'regauth_credential_cache_lookups_total{result="hit"} 25',
        'regauth_credential_cache_lookups_total{result="miss"} 5',
        'regauth_credential_cache_entries 9',
      ]),
    );
  });

  test('a metric without a source is not exported', async () => {
    const text = await new PrometheusMetrics({}, { defaultMetrics: false }).text();
    expect(text).not.toMatch(/regauth_bcrypt|regauth_credential_cache|regauth_db_pool/);
  });

  test('registries are private: two instances in one process count apart', async () => {
    const one = new PrometheusMetrics();
    const two = new PrometheusMetrics();
    one.observeHttpRequest({ method: 'GET', route: 'token', status: 200, seconds: 0.02 });
    expect(samples(await one.text())).toContain('regauth_http_request_duration_seconds_count{method="GET",route="token",status="200"} 1');
    expect(await two.text()).not.toContain('regauth_http_request_duration_seconds_count{');
  });
});
