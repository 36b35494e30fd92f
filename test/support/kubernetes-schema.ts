/** A Kubernetes object as it appears in a manifest. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Validates an object against the JSON schema of its apiVersion and kind, from the Kubernetes OpenAPI
 * definitions that the kubernetes-models package compiles (types, required fields, enums, formats).
 * Throws with the schema errors; an apiVersion or kind it does not know is an error too.
 */
export async function validateKubernetesObject(object: KubernetesObject): Promise<void> {
  let models: Record<string, ModelClass | undefined>;
  try {
    models = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<string, ModelClass | undefined>;
  } catch (error) {
    throw new Error(`no schema for apiVersion ${object.apiVersion}: ${(error as Error).message}`);
  }
  const Model = models[object.kind];
  if (Model === undefined) throw new Error(`no schema for ${object.kind} in ${object.apiVersion}`);
  new Model(asTheApiServerReadsIt(object)).validate();
}

/**
 * The API server decodes Secret `data` as Go's base64 decoder does, which skips line breaks; kustomize v5
 * wraps long values across lines, which the schema's strict "byte" format would otherwise refuse.
 */
function asTheApiServerReadsIt(object: KubernetesObject): KubernetesObject {
  if (object.apiVersion !== 'v1' || object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value]),
  );
  return { ...object, data };
}
