import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';

describe('regauth_federation_key_set_fetches_total', () => {
  test('counts key-set fetches by issuer and outcome', async () => {
    const metrics = new PrometheusMetrics({}, { defaultMetrics: false });
    metrics.keySetFetched('github', 'success');
    metrics.keySetFetched('github', 'success');
    metrics.keySetFetched('github', 'failure');
    metrics.keySetFetched('cluster', 'failure');

    const lines = (await metrics.text()).split('\n').filter((line) => line.startsWith('regauth_federation_key_set_fetches_total{'));
    expect(lines.sort()).toEqual([
      'regauth_federation_key_set_fetches_total{issuer="cluster",outcome="failure"} 1',
      'regauth_federation_key_set_fetches_total{issuer="github",outcome="failure"} 1',
      'regauth_federation_key_set_fetches_total{issuer="github",outcome="success"} 2',
    ]);
  });
});
