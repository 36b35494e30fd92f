import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { validateKubernetesObject, type KubernetesObject } from '../../support/kubernetes-schema.js';
import { REPOSITORY_ROOT } from '../../support/repository.js';

const KUBELET_DIR = join(REPOSITORY_ROOT, 'deploy/kubelet');
// Read by the kubelet from disk, not an API object: it has no schema in the API server's OpenAPI.
const CONFIG_FILE = 'credential-provider-config.yaml';

interface ClusterRole extends KubernetesObject {
  rules: { verbs: string[]; apiGroups: string[]; resources: string[] }[];
}
interface ClusterRoleBinding extends KubernetesObject {
  roleRef: { kind: string; name: string };
  subjects: { kind: string; name: string }[];
}

const manifestFiles = (await readdir(KUBELET_DIR)).filter((file) => file.endsWith('.yaml') && file !== CONFIG_FILE).sort();
const manifests = await Promise.all(
  manifestFiles.map(async (file) => parseYaml(await readFile(join(KUBELET_DIR, file), 'utf8')) as KubernetesObject),
);
const config = parseYaml(await readFile(join(KUBELET_DIR, CONFIG_FILE), 'utf8')) as {
  apiVersion: string;
  kind: string;
  providers: { tokenAttributes: { serviceAccountTokenAudience: string } }[];
};

describe('deploy/kubelet files', () => {
  test.each(manifestFiles)('%s is one object valid against the Kubernetes schema of its kind', async (file) => {
    expect(parseAllDocuments(await readFile(join(KUBELET_DIR, file), 'utf8'))).toHaveLength(1);
    await expect(validateKubernetesObject(manifests[manifestFiles.indexOf(file)] as KubernetesObject)).resolves.toBeUndefined();
  });

  test("the README's CredentialProviderConfig and node RBAC are these files", async () => {
    const readme = await readFile(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].flatMap(([, block = '']) =>
      parseAllDocuments(block).map((document) => document.toJS() as { kind?: string }),
    );
    expect(blocks.filter((block) => block.kind === 'CredentialProviderConfig')).toEqual([config]);
    const rbac = blocks.filter((block) => block.kind === 'ClusterRole' || block.kind === 'ClusterRoleBinding');
    expect(rbac).toEqual(manifests);
  });

  test('the nodes may request service-account tokens for exactly the audience the provider config asks for', () => {
    expect(config).toMatchObject({ apiVersion: 'kubelet.config.k8s.io/v1', kind: 'CredentialProviderConfig' });
    const audiences = config.providers.map((provider) => provider.tokenAttributes.serviceAccountTokenAudience);
    const role = manifests.find((object) => object.kind === 'ClusterRole') as ClusterRole;
    const binding = manifests.find((object) => object.kind === 'ClusterRoleBinding') as ClusterRoleBinding;
    expect(role.rules).toEqual([{ verbs: ['request-serviceaccounts-token-audience'], apiGroups: [''], resources: audiences }]);
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }]);
  });
});
