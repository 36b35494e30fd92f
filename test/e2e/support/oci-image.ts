import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface TinyOciImage {
  layoutDir: string;
  tag: string;
  manifestDigest: string;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

const BLOCK = 512;
const FILE_NAME = 'hello.txt';
const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar archive holding one regular file, deterministic for a given content. */
function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(content.length, 12), 124, 'ascii');
  header.write(octal(0, 12), 136, 'ascii');
  header.write(' '.repeat(8), 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write('root', 265, 'ascii');
  header.write('root', 297, 'ascii');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');

  const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
  return Buffer.concat([header, content, Buffer.alloc(padding), Buffer.alloc(2 * BLOCK)]);
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function writeBlob(layoutDir: string, mediaType: string, data: Buffer): Promise<Descriptor> {
  const digest = sha256(data);
  await writeFile(join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length)), data);
  return { mediaType, digest, size: data.length };
}

async function readIndexManifests(layoutDir: string): Promise<Descriptor[]> {
  try {
    const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as { manifests?: Descriptor[] };
    return index.manifests ?? [];
  } catch {
    return [];
  }
}

/**
 * Writes (or adds a tag to) an OCI image layout in `dir`: one gzip layer holding `hello.txt` with `content`.
 */
export async function buildTinyOciImage(
  dir: string,
  options: { tag: string; content: string },
): Promise<TinyOciImage> {
  const layoutDir = dir;
  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));

  const tar = tarOneFile(FILE_NAME, Buffer.from(options.content, 'utf8'));
  const layer = await writeBlob(layoutDir, 'application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar));
  const imageConfig = {
    created: '1970-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'regauth e2e buildTinyOciImage' }],
  };
  const config = await writeBlob(
    layoutDir,
    'application/vnd.oci.image.config.v1+json',
    Buffer.from(JSON.stringify(imageConfig)),
  );
  const manifest = await writeBlob(
    layoutDir,
    'application/vnd.oci.image.manifest.v1+json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] })),
  );

  const others = (await readIndexManifests(layoutDir)).filter(
    (entry) => entry.annotations?.[REF_NAME_ANNOTATION] !== options.tag,
  );
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [...others, { ...manifest, annotations: { [REF_NAME_ANNOTATION]: options.tag } }],
  };
  await writeFile(join(layoutDir, 'index.json'), JSON.stringify(index));
  return { layoutDir, tag: options.tag, manifestDigest: manifest.digest };
}
