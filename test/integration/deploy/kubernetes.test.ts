import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { runCommand } from '../../e2e/support/run-command.js';
import { environmentOf, readDockerfile, type Stage } from '../../support/dockerfile.js';
import { findKustomize, type KustomizeTool } from '../../support/kustomize-tool.js';
import { validateKubernetesObject, type KubernetesObject } from '../../support/kubernetes-schema.js';
import { missingDependency } from '../../support/missing-dependency.js';
import { REPOSITORY_ROOT } from '../../support/repository.js';
import { loadConfig, type RegauthConfig } from '../../../src/adapters/config/load-config.js';
import { environmentIn, regauth } from '../cli/cli-harness.js';

// Shapes of the fields these tests read; the schemas check the rest.
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext & {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seccompProfile?: { type: string };
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: { sizeLimit?: string };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  restartPolicy?: string;
  securityContext?: SecurityContext & { fsGroup?: number };
}
interface NetworkPolicyPeer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
}
interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: { protocol?: string; port?: string | number }[];
}
interface NetworkPolicy extends KubernetesObject {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: NetworkPolicyRule[];
    egress?: NetworkPolicyRule[];
  };
}
interface Service extends KubernetesObject {
  spec: { type?: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
}
interface Workload extends KubernetesObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
}

const BASE_DIR = join(REPOSITORY_ROOT, 'deploy/kubernetes');
const KEY_FILE = /^signing-key-(\d{8}T\d{9}Z)\.pem$/;
const BUNDLE_FILE = 'registry-rootcertbundle.pem';

const kustomization = parseYaml(await readFile(join(BASE_DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
const manifestFiles = (await readdir(BASE_DIR)).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml').sort();
const manifests = new Map<string, KubernetesObject>();
for (const file of manifestFiles) manifests.set(file, parseYaml(await readFile(join(BASE_DIR, file), 'utf8')) as KubernetesObject);
const runtime = (await readDockerfile()).at(-1) as Stage;

function find<T extends KubernetesObject>(objects: Iterable<KubernetesObject>, kind: string, name: string): T {
  const found = [...objects].find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found as T;
}

const base = <T extends KubernetesObject>(kind: string, name: string) => find<T>(manifests.values(), kind, name);
const onlyContainer = (workload: Workload) => {
  expect(workload.spec.template.spec.containers).toHaveLength(1);
  return workload.spec.template.spec.containers[0] as Container;
};
const podLabels = (workload: Workload) => workload.spec.template.metadata?.labels ?? {};
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
const identity = (object: KubernetesObject) => `${object.kind}/${object.metadata.name}`;

/** The config a regauth pod reads from these settings (its ConfigMap) and the database Secret. */
function podConfig(settings: Record<string, string>): RegauthConfig {
  return loadConfig({ ...settings, DATABASE_URL: 'postgres://regauth@db.example.internal:5432/regauth' }, '/app');
}

/** The environment variables config/default.yaml documents, as `# NAME:` after each setting. */
async function documentedVariables(): Promise<Set<string>> {
  const text = await readFile(join(REPOSITORY_ROOT, 'config/default.yaml'), 'utf8');
  return new Set([...text.matchAll(/#\s*((?:REGAUTH_|DATABASE_URL)[A-Z_]*):/g)].map((match) => match[1] as string));
}

interface Overlay {
  resources?: string[];
  bases?: string[];
  secretGenerator: { name: string; files?: string[]; literals?: string[] }[];
  [field: string]: unknown;
}

/** The README's YAML blocks, each without the indentation of the list item it may sit in. */
async function readmeYamlBlocks(): Promise<string[]> {
  const readme = await readFile(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```$/gm)].map(([, indent = '', block = '']) =>
    block
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n'),
  );
}

/** The overlay the README's Kubernetes section shows: its YAML block that is a Kustomization. */
async function readmeOverlay(): Promise<Overlay> {
  const overlays = (await readmeYamlBlocks()).filter((block) => /^kind: Kustomization$/m.test(block));
  expect(overlays).toHaveLength(1);
  return parseYaml(overlays[0] as string) as Overlay;
}

/** The README's patch that names another ingress controller namespace in the network policies. */
async function readmeIngressNamespacePatch(): Promise<Record<string, unknown>> {
  const patches = (await readmeYamlBlocks()).filter((block) => /^patches:$/m.test(block) && block.includes('kind: NetworkPolicy'));
  expect(patches).toHaveLength(1);
  return parseYaml(patches[0] as string) as Record<string, unknown>;
}

async function render(tool: KustomizeTool, dir: string): Promise<KubernetesObject[]> {
  const [command, ...args] = tool.render as [string, ...string[]];
  const result = await runCommand(command, [...args, dir]);
  if (result.code !== 0) throw new Error(`${tool.render.join(' ')} ${dir} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as KubernetesObject);
}

describe('deploy/kubernetes files', () => {
  test('the kustomization lists every manifest in the folder, and only those', () => {
    expect([...kustomization.resources].sort()).toEqual(manifestFiles);
  });

  test.each(manifestFiles)('%s is one object valid against the Kubernetes schema of its kind', async (file) => {
    const text = await readFile(join(BASE_DIR, file), 'utf8');
    expect(parseAllDocuments(text)).toHaveLength(1);
    await expect(validateKubernetesObject(manifests.get(file) as KubernetesObject)).resolves.toBeUndefined();
  });

  test('the schema check rejects a wrong type, a missing required field and an unknown kind', async () => {
    const deployment = base<Workload>('Deployment', 'regauth');
    await expect(validateKubernetesObject({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } } as never)).rejects.toThrow(
      'replicas',
    );
    const { selector: _selector, ...withoutSelector } = deployment.spec;
    await expect(validateKubernetesObject({ ...deployment, spec: withoutSelector } as never)).rejects.toThrow('selector');
    await expect(validateKubernetesObject({ ...deployment, kind: 'Deploymnet' })).rejects.toThrow('no schema for Deploymnet');
  });

  test('no manifest names a namespace: an overlay sets it', () => {
    for (const object of manifests.values()) expect(object.metadata.namespace).toBeUndefined();
  });
});

describe('the regauth Deployment', () => {
  const deployment = base<Workload>('Deployment', 'regauth');
  const container = onlyContainer(deployment);
  const httpPort = container.ports?.find((port) => port.name === 'http');

  test('runs at least two replicas, and selects its own pods', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(selects(deployment.spec.selector?.matchLabels ?? {}, podLabels(deployment))).toBe(true);
  });

  test('serves on 5001, ready on /readyz and alive on /healthz', () => {
    expect(httpPort?.containerPort).toBe(5001);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  test('requests CPU and memory and limits memory', () => {
    expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(container.resources?.limits?.memory).toBeDefined();
  });

  test("runs as the image's non-root user, on a read-only root filesystem, without privileges", () => {
    const [uid, gid] = (runtime.instructions.find((instruction) => instruction.keyword === 'USER')?.args as string).split(':').map(Number);
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('mounts the signing-key Secret read-only where REGAUTH_KEYS_DIR points', () => {
    const keysDir = (base('ConfigMap', 'regauth-config').data as Record<string, string>).REGAUTH_KEYS_DIR;
    expect(keysDir).toBe(environmentOf(runtime).REGAUTH_KEYS_DIR);
    const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === keysDir);
    expect(mount?.readOnly).toBe(true);
    const volume = deployment.spec.template.spec.volumes?.find((candidate) => candidate.name === mount?.name);
    expect(volume?.secret?.secretName).toBe('regauth-signing-key');
    expect(volume?.secret?.items).toBeUndefined();
  });

  test('takes its settings from the ConfigMap and DATABASE_URL from the database Secret', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'regauth-config' } }, { secretRef: { name: 'regauth-database' } }]);
    expect(Object.keys(base('Secret', 'regauth-database').stringData as object)).toEqual(['DATABASE_URL']);
  });

  test('the Service, PodDisruptionBudget and HorizontalPodAutoscaler all point at it', () => {
    const service = base<KubernetesObject & { spec: { selector: Record<string, string>; ports: { port: number; targetPort: string }[] } }>(
      'Service',
      'regauth',
    );
    expect(selects(service.spec.selector, podLabels(deployment))).toBe(true);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 5001, targetPort: 'http' }]);

    const pdb = base<KubernetesObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>(
      'PodDisruptionBudget',
      'regauth',
    );
    expect(selects(pdb.spec.selector.matchLabels, podLabels(deployment))).toBe(true);
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas as number);

    const hpa = base<KubernetesObject & { spec: { scaleTargetRef: object; minReplicas: number; maxReplicas: number } }>(
      'HorizontalPodAutoscaler',
      'regauth',
    );
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'regauth' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
  });
});

describe('the other regauth objects', () => {
  test('the migration Job runs `regauth migrate` from the same image and settings as the Deployment', () => {
    const job = base<Workload>('Job', 'regauth-migrate');
    const migrate = onlyContainer(job);
    const server = onlyContainer(base<Workload>('Deployment', 'regauth'));
    expect(migrate.command).toEqual(['regauth', 'migrate']);
    expect(migrate.image).toBe(server.image);
    expect(migrate.envFrom).toEqual(server.envFrom);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
  });

  test('the ConfigMap sets only variables config/default.yaml documents', async () => {
    const documented = await documentedVariables();
    expect(documented.size).toBeGreaterThan(10);
    for (const name of Object.keys(base('ConfigMap', 'regauth-config').data as object)) expect(documented).toContain(name);
  });

  test('the signing-key Secret has a key, its certificate and the bundle, named as regauth reads them', () => {
    const files = Object.keys(base('Secret', 'regauth-signing-key').stringData as object);
    const stamp = files.map((file) => KEY_FILE.exec(file)?.[1]).find((found) => found !== undefined);
    expect(stamp).toBeDefined();
    expect(files.sort()).toEqual([BUNDLE_FILE, `signing-cert-${stamp}.pem`, `signing-key-${stamp}.pem`]);
  });
});

describe('the registry Deployment', () => {
  const registry = base<Workload>('Deployment', 'registry');
  const container = onlyContainer(registry);
  const env = container.env ?? [];
  const variable = (name: string) => env.find((candidate) => candidate.name === name);

  test('is the stock registry:2 with token auth', () => {
    expect(container.image).toBe('registry:2');
    expect(variable('REGISTRY_AUTH')?.value).toBe('token');
  });

  test("takes the realm, service and issuer from regauth's ConfigMap, so the two always agree", () => {
    const publicUrl = env.findIndex((candidate) => candidate.name === 'REGAUTH_PUBLIC_URL');
    const realm = env.findIndex((candidate) => candidate.name === 'REGISTRY_AUTH_TOKEN_REALM');
    // $(NAME) expands only variables defined earlier in the list.
    expect(publicUrl).toBeGreaterThanOrEqual(0);
    expect(publicUrl).toBeLessThan(realm);
    expect(env[publicUrl]?.valueFrom).toEqual({ configMapKeyRef: { name: 'regauth-config', key: 'REGAUTH_PUBLIC_URL' } });
    expect(env[realm]?.value).toBe('$(REGAUTH_PUBLIC_URL)/token');
    expect(variable('REGISTRY_AUTH_TOKEN_SERVICE')?.valueFrom).toEqual({ configMapKeyRef: { name: 'regauth-config', key: 'REGAUTH_SERVICE' } });
    expect(variable('REGISTRY_AUTH_TOKEN_ISSUER')?.valueFrom).toEqual({ configMapKeyRef: { name: 'regauth-config', key: 'REGAUTH_ISSUER' } });
  });

  test('reads the rootcertbundle from the signing-key Secret, which projects the bundle and not the private key', () => {
    const bundlePath = variable('REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE')?.value as string;
    const mount = container.volumeMounts?.find((candidate) => bundlePath.startsWith(`${candidate.mountPath}/`));
    expect(mount?.readOnly).toBe(true);
    const volume = registry.spec.template.spec.volumes?.find((candidate) => candidate.name === mount?.name);
    expect(volume?.secret).toEqual({
      secretName: 'regauth-signing-key',
      items: [{ key: BUNDLE_FILE, path: relative(mount?.mountPath as string, bundlePath) }],
    });
  });

  test('keeps its images on the claimed volume and is selected by its Service', () => {
    const data = container.volumeMounts?.find((candidate) => candidate.mountPath === '/var/lib/registry');
    const volume = registry.spec.template.spec.volumes?.find((candidate) => candidate.name === data?.name);
    expect(volume?.persistentVolumeClaim?.claimName).toBe(base('PersistentVolumeClaim', 'registry-data').metadata.name);
    const service = base<KubernetesObject & { spec: { selector: Record<string, string> } }>('Service', 'registry');
    expect(selects(service.spec.selector, podLabels(registry))).toBe(true);
    expect(selects(registry.spec.selector?.matchLabels ?? {}, podLabels(registry))).toBe(true);
  });
});

const workloads = [...manifests.values()].filter((object): object is Workload => object.kind === 'Deployment' || object.kind === 'Job');
const containersOf = (workload: Workload) => [...(workload.spec.template.spec.initContainers ?? []), ...workload.spec.template.spec.containers];
const everyContainer = workloads.flatMap((workload) =>
  containersOf(workload).map((container) => [`${identity(workload)} ${container.name}`, workload, container] as const),
);

describe('every pod and container', () => {
  test('the workloads are regauth, its migration Job and the registry', () => {
    expect(workloads.map(identity).sort()).toEqual(['Deployment/regauth', 'Deployment/registry', 'Job/regauth-migrate']);
  });

  test.each(everyContainer)("%s runs as a fixed non-root user and group, under the runtime's seccomp profile", (_name, workload, container) => {
    const effective = { ...workload.spec.template.spec.securityContext, ...container.securityContext };
    expect(effective.runAsNonRoot).toBe(true);
    expect(effective.runAsUser).toBeGreaterThan(0);
    expect(effective.runAsGroup).toBeGreaterThan(0);
    expect(effective.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test.each(everyContainer)('%s cannot gain privileges, has no capability and a read-only root filesystem', (_name, _workload, container) => {
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.securityContext?.privileged).toBeUndefined();
    expect(container.securityContext?.capabilities?.add).toBeUndefined();
  });

  test.each(everyContainer)('%s writes only to an emptyDir or a claimed volume', (_name, workload, container) => {
    for (const mount of container.volumeMounts ?? []) {
      if (mount.readOnly === true) continue;
      const volume = workload.spec.template.spec.volumes?.find((candidate) => candidate.name === mount.name);
      expect(volume?.emptyDir ?? volume?.persistentVolumeClaim).toBeDefined();
    }
  });

  test.each(workloads.filter((workload) => workload.kind === 'Deployment').map((workload) => [identity(workload), workload] as const))(
    '%s has a small emptyDir at /tmp',
    (_name, workload) => {
      const container = onlyContainer(workload);
      const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === '/tmp');
      expect(workload.spec.template.spec.volumes?.find((volume) => volume.name === mount?.name)?.emptyDir?.sizeLimit).toBeDefined();
    },
  );

  test("the registry's group owns its data volume, so a non-root registry can write its images", () => {
    const pod = base<Workload>('Deployment', 'registry').spec.template.spec;
    expect(pod.volumes?.some((volume) => volume.persistentVolumeClaim !== undefined)).toBe(true);
    expect(pod.securityContext?.fsGroup).toBe(pod.securityContext?.runAsGroup);
  });
});

const INGRESS_CONTROLLER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } };
const PROMETHEUS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
const DNS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

describe('network policies', () => {
  const policies = [...manifests.values()].filter((object): object is NetworkPolicy => object.kind === 'NetworkPolicy');
  const regauthPolicy = base<NetworkPolicy>('NetworkPolicy', 'regauth');
  const registryPolicy = base<NetworkPolicy>('NetworkPolicy', 'registry');
  const portNames = (workload: Workload) => (onlyContainer(workload).ports ?? []).map((port) => port.name);

  test('a default deny selects every pod of the namespace, both ways, and allows nothing', () => {
    expect(base<NetworkPolicy>('NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test.each(workloads.map((workload) => [identity(workload), workload] as const))(
    'the pods of %s are selected by one policy of their own, which restricts both directions',
    (_name, workload) => {
      const own = policies.filter(
        (policy) => policy.metadata.name !== 'default-deny' && selects(policy.spec.podSelector.matchLabels ?? {}, podLabels(workload)),
      );
      expect(own).toHaveLength(1);
      expect(own[0]?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    },
  );

  test('every rule names its ports, and every ingress rule its peers: nothing is open to any source', () => {
    for (const policy of policies) {
      for (const rule of policy.spec.ingress ?? []) {
        expect(rule.from?.length).toBeGreaterThan(0);
        expect(rule.ports?.length).toBeGreaterThan(0);
      }
      for (const rule of policy.spec.egress ?? []) expect(rule.ports?.length).toBeGreaterThan(0);
    }
  });

  test('regauth takes its token port from the ingress controller only, and its admin port from Prometheus only', () => {
    expect(regauthPolicy.spec.ingress).toEqual([
      { from: [INGRESS_CONTROLLER], ports: [{ protocol: 'TCP', port: 'http' }] },
      { from: [PROMETHEUS], ports: [{ protocol: 'TCP', port: 'admin' }] },
    ]);
    expect(portNames(base<Workload>('Deployment', 'regauth'))).toEqual(['http', 'admin']);
  });

  test('regauth sends DNS and PostgreSQL, on the port of DATABASE_URL, and nothing else', () => {
    expect(regauthPolicy.spec.egress).toEqual([{ ports: DNS }, { ports: [{ protocol: 'TCP', port: 5432 }] }]);
    const databaseUrl = (base('Secret', 'regauth-database').stringData as Record<string, string>).DATABASE_URL as string;
    expect(new URL(databaseUrl).port).toBe('5432');
  });

  test('the registry takes its port from the ingress controller, sends DNS only, and no rule lets it reach regauth', () => {
    expect(registryPolicy.spec.ingress).toEqual([{ from: [INGRESS_CONTROLLER], ports: [{ protocol: 'TCP', port: 'http' }] }]);
    expect(registryPolicy.spec.egress).toEqual([{ ports: DNS }]);
    expect(portNames(base<Workload>('Deployment', 'registry'))).toEqual(['http']);
    // regauth's peers are other namespaces, never a pod selector that could match the registry next to it.
    for (const rule of regauthPolicy.spec.ingress ?? []) for (const peer of rule.from ?? []) expect(Object.keys(peer)).toEqual(['namespaceSelector']);
  });
});

describe('trusted proxies and the admin listener', () => {
  const settings = base('ConfigMap', 'regauth-config').data as Record<string, string>;
  const deployment = base<Workload>('Deployment', 'regauth');
  const adminPort = onlyContainer(deployment).ports?.find((port) => port.name === 'admin')?.containerPort;

  test('REGAUTH_TRUSTED_PROXIES is in the ConfigMap, as a placeholder regauth accepts that trusts no proxy', () => {
    expect(Object.keys(settings)).toContain('REGAUTH_TRUSTED_PROXIES');
    expect(settings.REGAUTH_TRUSTED_PROXIES).not.toContain('10.0.0.0/8');
    expect(podConfig(settings).server.trustedProxies).toEqual([]);
  });

  test('regauth refuses the broad ranges the placeholder warns against', () => {
    for (const broad of ['10.0.0.0/8', '10.244.0.0/14', 'uniquelocal']) {
      expect(() => podConfig({ ...settings, REGAUTH_TRUSTED_PROXIES: broad })).toThrow('server.trustedProxies.0');
    }
  });

  test("the admin listener is on the container's admin port, which Prometheus is told to scrape", () => {
    expect(podConfig(settings).server.adminListener.port).toBe(adminPort);
    expect(deployment.spec.template.metadata?.annotations?.['prometheus.io/port']).toBe(String(adminPort));
    expect(podConfig(settings).metrics.path).toBe(deployment.spec.template.metadata?.annotations?.['prometheus.io/path']);
  });

  test('the regauth Service, which the Ingress uses, exposes the token port only; regauth-admin the admin port, in the cluster', () => {
    const service = base<Service>('Service', 'regauth');
    expect(service.spec.ports.map((port) => port.targetPort)).toEqual(['http']);
    const admin = base<Service>('Service', 'regauth-admin');
    expect(admin.spec.type).toBe('ClusterIP');
    expect(selects(admin.spec.selector, podLabels(deployment))).toBe(true);
    expect(admin.spec.ports).toEqual([{ name: 'admin', port: adminPort, targetPort: 'admin' }]);
  });
});

const kustomize = findKustomize() ?? missingDependency('kustomize or kubectl (Debian package kubernetes-client) for kustomize builds');

(kustomize ? describe : describe.skip)('rendered with kustomize', () => {
  const tool = kustomize as KustomizeTool;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rgk-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('the base renders every object of its files, each valid against the Kubernetes schema', async () => {
    const rendered = await render(tool, BASE_DIR);
    expect(rendered.map(identity).sort()).toEqual([...manifests.values()].map(identity).sort());
    for (const object of rendered) await validateKubernetesObject(object);
  });

  test("the README's overlay: a key from `regauth keys generate`, the database URL, settings, image and namespace", async () => {
    const overlay = join(root, 'overlay');
    const keysDir = join(overlay, 'regauth-keys');
    const generated = await regauth({ ...environmentIn(overlay), REGAUTH_KEYS_DIR: keysDir }, overlay, ['keys', 'generate']);
    expect(generated.code).toBe(0);
    const keyFiles = (await readdir(keysDir)).sort();
    // A key, its certificate, the registry's bundle and the JWKS file for registry 3.
    expect(keyFiles).toHaveLength(4);
    const readme = await readmeOverlay();
    // The README's example names stand for what `keys generate` wrote, and its path for wherever regauth is.
    readme[tool.folderResources ? 'resources' : 'bases'] = [relative(overlay, BASE_DIR)];
    if (!tool.folderResources) delete readme.resources;
    const keyGenerator = readme.secretGenerator.find((generator) => generator.name === 'regauth-signing-key');
    expect(keyGenerator?.files?.map((file) => file.replace(/\d{8}T\d{9}Z/, 'STAMP')).sort()).toEqual(
      keyFiles.map((file) => `regauth-keys/${file.replace(/\d{8}T\d{9}Z/, 'STAMP')}`),
    );
    (keyGenerator as { files: string[] }).files = keyFiles.map((file) => `regauth-keys/${file}`);
    await writeFile(join(overlay, 'kustomization.yaml'), stringify(readme));

    const rendered = await render(tool, overlay);
    for (const object of rendered) {
      await validateKubernetesObject(object);
      expect(object.metadata.namespace).toBe('registry');
    }
    const secret = find<KubernetesObject & { data: Record<string, string> }>(rendered, 'Secret', 'regauth-signing-key');
    expect(Object.keys(secret.data).sort()).toEqual(keyFiles);
    // Left in, the placeholders' stringData would win over data on the API server.
    expect(secret.stringData).toBeUndefined();
    for (const file of keyFiles) {
      expect(Buffer.from(secret.data[file] as string, 'base64').toString('utf8')).toBe(await readFile(join(keysDir, file), 'utf8'));
    }
    for (const name of ['regauth', 'registry']) {
      const volumes = find<Workload>(rendered, 'Deployment', name).spec.template.spec.volumes ?? [];
      expect(volumes.map((volume) => volume.secret?.secretName)).toContain('regauth-signing-key');
    }

    const database = find<KubernetesObject & { data: Record<string, string> }>(rendered, 'Secret', 'regauth-database');
    expect(database.stringData).toBeUndefined();
    expect(Buffer.from(database.data.DATABASE_URL as string, 'base64').toString('utf8')).toMatch(/^postgres:\/\/regauth:PASSWORD@/);

    const settings = find<KubernetesObject & { data: Record<string, string> }>(rendered, 'ConfigMap', 'regauth-config').data;
    expect(settings).toEqual({
      ...(base('ConfigMap', 'regauth-config').data as Record<string, string>),
      REGAUTH_PUBLIC_URL: 'https://auth.example.com',
      REGAUTH_SERVICE: 'registry.example.com',
      REGAUTH_REGISTRY_HOST: 'registry.example.com',
      REGAUTH_TRUSTED_PROXIES: '10.42.7.0/24,10.42.9.0/24',
    });
    expect(podConfig(settings).server.trustedProxies).toEqual(['10.42.7.0/24', '10.42.9.0/24']);

    expect(onlyContainer(find<Workload>(rendered, 'Deployment', 'regauth')).image).toBe('registry.example.com/platform/regauth:0.1.0');
    expect(onlyContainer(find<Workload>(rendered, 'Job', 'regauth-migrate')).image).toBe('registry.example.com/platform/regauth:0.1.0');
  });

  test("the README's patch names another ingress controller namespace in both policies, and changes nothing else", async () => {
    const overlay = join(root, 'ingress-namespace');
    await mkdir(overlay, { recursive: true });
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      [tool.folderResources ? 'resources' : 'bases']: [relative(overlay, BASE_DIR)],
      ...(await readmeIngressNamespacePatch()),
    };
    await writeFile(join(overlay, 'kustomization.yaml'), stringify(kustomization));

    const rendered = await render(tool, overlay);
    const controller = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } };
    for (const name of ['regauth', 'registry']) {
      const policy = find<NetworkPolicy>(rendered, 'NetworkPolicy', name);
      const original = base<NetworkPolicy>('NetworkPolicy', name);
      expect(policy.spec).toEqual({
        ...original.spec,
        ingress: [{ ...original.spec.ingress?.[0], from: [controller] }, ...(original.spec.ingress ?? []).slice(1)],
      });
    }
    expect(find<NetworkPolicy>(rendered, 'NetworkPolicy', 'default-deny').spec).toEqual(base<NetworkPolicy>('NetworkPolicy', 'default-deny').spec);
  });
});
