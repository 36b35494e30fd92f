import { reachableFrom } from '../../src/adapters/http/listen-address.js';
import { terminalStartupText } from '../../src/startup-output.js';

const YAML = 'auth:\n  token:\n    realm: http://127.0.0.1:5001/token\n    service: registry\n    issuer: regauth\n    rootcertbundle: /srv/keys/registry-rootcertbundle.pem\n';

describe('the start-up text for a terminal', () => {
  test('on every interface it says so, shows REGAUTH_HOST for this machine only, then the YAML and the next commands', () => {
    expect(terminalStartupText({ host: '0.0.0.0', port: 5001, registryConfigYaml: YAML, registryHost: null })).toBe(
      [
        '',
        'regauth is listening on 0.0.0.0:5001, every network interface: other machines can reach the token endpoint, the admin API and metrics.',
        'To keep it on this machine, start it with REGAUTH_HOST=127.0.0.1.',
        '',
        "Give the registry this configuration (the auth section of its config.yml; `npx regauth registry-config` prints it again):",
        '',
        'auth:',
        '  token:',
        '    realm: http://127.0.0.1:5001/token',
        '    service: registry',
        '    issuer: regauth',
        '    rootcertbundle: /srv/keys/registry-rootcertbundle.pem',
        '',
        'Next, in another terminal:',
        '  npx regauth tokens create --name laptop --repo team/app --scope write_registry --registry 127.0.0.1:5000',
        '  then run the docker login line it prints, and: docker push 127.0.0.1:5000/team/app:v1',
        '',
        '',
      ].join('\n'),
    );
  });

  test('on loopback it gives no REGAUTH_HOST advice, and the commands name registry.host when it is set', () => {
    const text = terminalStartupText({ host: '127.0.0.1', port: 5002, registryConfigYaml: YAML, registryHost: 'registry.example.com' });

    expect(text).toContain('\nregauth is listening on 127.0.0.1:5002, this machine only (loopback).\n\nGive the registry');
    expect(text).not.toContain('REGAUTH_HOST');
    expect(text).toContain('--registry registry.example.com\n  then run the docker login line it prints, and: docker push registry.example.com/team/app:v1\n');
  });
});

describe('the web UI address in the start-up text', () => {
  test('is printed with how to get a key to sign in with, and left out when the UI is off', () => {
    const facts = { host: '127.0.0.1', port: 5001, registryConfigYaml: YAML, registryHost: null };
    expect(terminalStartupText({ ...facts, uiUrl: 'http://127.0.0.1:5001/ui/' })).toContain(
      '\nWeb UI: http://127.0.0.1:5001/ui/ (sign in with a key from `npx regauth admin-keys create --name you`)\n\nNext, in another terminal:',
    );
    expect(terminalStartupText({ ...facts, uiUrl: null })).not.toContain('Web UI');
  });
});

describe('who can reach a listen address', () => {
  test.each([
    ['0.0.0.0', 'every network interface: other machines can reach the token endpoint, the admin API and metrics'],
    ['::', 'every network interface: other machines can reach the token endpoint, the admin API and metrics'],
    ['127.0.0.1', 'this machine only (loopback)'],
    ['127.0.0.53', 'this machine only (loopback)'],
    ['::1', 'this machine only (loopback)'],
    ['localhost', 'this machine only (loopback)'],
    ['10.1.2.3', 'the interface with address 10.1.2.3 only'],
  ])('%s: %s', (host, words) => {
    expect(reachableFrom(host)).toBe(words);
  });
});
