import { connect as http2Connect, constants as http2 } from 'node:http2';
import { connect as netConnect } from 'node:net';

/**
 * A minimal client of the Kubernetes CRI image service (`runtime.v1`), the gRPC API the kubelet calls on
 * containerd's built-in CRI plugin. gRPC is HTTP/2 with length-prefixed protobuf messages; the few messages
 * needed here are encoded by hand, with the field numbers of k8s.io/cri-api's api.proto:
 *
 *   ImageSpec          { string image = 1; }
 *   AuthConfig         { string username = 1; string password = 2; string auth = 3; string server_address = 4;
 *                        string identity_token = 5; string registry_token = 6; }
 *   PullImageRequest   { ImageSpec image = 1; AuthConfig auth = 2; }   PullImageResponse { string image_ref = 1; }
 *   ImageStatusRequest { ImageSpec image = 1; }   ImageStatusResponse { Image image = 1; }
 *   Image              { string id = 1; repeated string repo_tags = 2; repeated string repo_digests = 3; }
 *   RemoveImageRequest { ImageSpec image = 1; }   RemoveImageResponse {}
 *   VersionRequest     { string version = 1; }   VersionResponse { string version = 1; string runtime_name = 2;
 *                        string runtime_version = 3; string runtime_api_version = 4; }
 */

/** What the kubelet turns an imagePullSecret (or a credential provider's answer) into. */
export interface CriAuthConfig {
  username?: string;
  password?: string;
  /** base64 of "username:password", as in a dockerconfigjson `auth` field. */
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface CriImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
}

/** A gRPC call that ended with a non-OK status. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`gRPC status ${code}: ${details}`);
  }
}

/** gRPC status NOT_FOUND. */
export const GRPC_NOT_FOUND = 5;

// --- protobuf, the subset used here: length-delimited fields (strings, messages) ---

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited field; empty values are left out, as proto3 does for defaults. */
function field(number: number, value: string | Buffer | undefined): Buffer {
  if (value === undefined || value.length === 0) return Buffer.alloc(0);
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((number << 3) | WIRE_LEN), varint(data.length), data]);
}

/** A message field that is sent even when empty (a present sub-message). */
function messageField(number: number, value: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | WIRE_LEN), varint(value.length), value]);
}

function readVarint(data: Buffer, start: number): [number, number] {
  let value = 0;
  let scale = 1;
  let offset = start;
  for (;;) {
    const byte = data[offset];
    if (byte === undefined) throw new Error('truncated protobuf varint');
    offset += 1;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, offset];
    scale *= 128;
  }
}

/** The length-delimited fields of a message, by field number, in order; other wire types are skipped. */
function decode(data: Buffer): Map<number, Buffer[]> {
  const fields = new Map<number, Buffer[]>();
  let offset = 0;
  while (offset < data.length) {
    const [key, afterKey] = readVarint(data, offset);
    const number = Math.floor(key / 8);
    const wire = key & 7;
    offset = afterKey;
    if (wire === WIRE_LEN) {
      const [length, afterLength] = readVarint(data, offset);
      const value = data.subarray(afterLength, afterLength + length);
      if (value.length !== length) throw new Error('truncated protobuf field');
      fields.set(number, [...(fields.get(number) ?? []), value]);
      offset = afterLength + length;
    } else if (wire === WIRE_VARINT) {
      offset = readVarint(data, offset)[1];
    } else if (wire === WIRE_I64) {
      offset += 8;
    } else if (wire === WIRE_I32) {
      offset += 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  return fields;
}

const strings = (fields: Map<number, Buffer[]>, number: number): string[] =>
  (fields.get(number) ?? []).map((value) => value.toString('utf8'));
const firstString = (fields: Map<number, Buffer[]>, number: number): string => strings(fields, number)[0] ?? '';

const imageSpec = (image: string): Buffer => field(1, image);

function authConfig(auth: CriAuthConfig): Buffer {
  return Buffer.concat([
    field(1, auth.username),
    field(2, auth.password),
    field(3, auth.auth),
    field(4, auth.serverAddress),
    field(5, auth.identityToken),
    field(6, auth.registryToken),
  ]);
}

// --- gRPC over HTTP/2 on a unix socket ---

function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

function unframe(body: Buffer): Buffer {
  if (body.length < 5) throw new Error(`gRPC response too short (${body.length} bytes)`);
  if (body.readUInt8(0) !== 0) throw new Error('compressed gRPC response not supported');
  const length = body.readUInt32BE(1);
  return body.subarray(5, 5 + length);
}

/** One unary call: `/package.Service/Method` with an encoded request message; resolves to the response message. */
export function grpcUnary(socket: string, path: string, request: Buffer, timeoutMs = 60_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const session = http2Connect('http://localhost', { createConnection: () => netConnect(socket) });
    const finish = (error: Error | null, value?: Buffer) => {
      session.close();
      if (error === null) resolve(value as Buffer);
      else reject(error);
    };
    session.once('error', (error) => finish(error));
    const stream = session.request({
      [http2.HTTP2_HEADER_METHOD]: 'POST',
      [http2.HTTP2_HEADER_PATH]: path,
      [http2.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [http2.HTTP2_HEADER_TE]: 'trailers',
      'grpc-timeout': `${timeoutMs}m`,
    });
    stream.setTimeout(timeoutMs + 5_000, () => stream.close(http2.NGHTTP2_CANCEL));
    const chunks: Buffer[] = [];
    // A trailers-only response (an immediate error) carries grpc-status in the headers.
    let status: string | undefined;
    let message = '';
    const readStatus = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) message = decodeURIComponent(String(headers['grpc-message']));
    };
    stream.on('response', (headers) => {
      const httpStatus = Number(headers[http2.HTTP2_HEADER_STATUS]);
      if (httpStatus !== 200) {
        finish(new Error(`gRPC call ${path}: HTTP status ${String(httpStatus)}`));
        return;
      }
      readStatus(headers);
    });
    stream.on('trailers', (headers) => readStatus(headers));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', (error) => finish(error));
    stream.once('close', () => {
      if (status === undefined) {
        finish(new Error(`gRPC call ${path} ended without a status (stream code ${stream.rstCode})`));
      } else if (status !== '0') {
        finish(new GrpcError(Number(status), message));
      } else {
        try {
          finish(null, unframe(Buffer.concat(chunks)));
        } catch (error) {
          finish(error as Error);
        }
      }
    });
    stream.end(frame(request));
  });
}

export interface CriImageService {
  /** RuntimeService/Version: the runtime's name and version, to check the CRI plugin is serving. */
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;
  /** ImageService/PullImage; resolves to the image reference (the config digest) containerd returns. */
  pullImage(image: string, auth?: CriAuthConfig): Promise<string>;
  /** ImageService/ImageStatus; null when the image is not on the node. */
  imageStatus(image: string): Promise<CriImage | null>;
  /** ImageService/RemoveImage. */
  removeImage(image: string): Promise<void>;
}

export function criImageService(socket: string): CriImageService {
  return {
    version: async () => {
      const response = decode(await grpcUnary(socket, '/runtime.v1.RuntimeService/Version', field(1, 'v1')));
      return {
        runtimeName: firstString(response, 2),
        runtimeVersion: firstString(response, 3),
        runtimeApiVersion: firstString(response, 4),
      };
    },
    pullImage: async (image, auth) => {
      const request = Buffer.concat([
        messageField(1, imageSpec(image)),
        auth === undefined ? Buffer.alloc(0) : messageField(2, authConfig(auth)),
      ]);
      return firstString(decode(await grpcUnary(socket, '/runtime.v1.ImageService/PullImage', request)), 1);
    },
    imageStatus: async (image) => {
      const response = decode(await grpcUnary(socket, '/runtime.v1.ImageService/ImageStatus', messageField(1, imageSpec(image))));
      const found = response.get(1)?.[0];
      if (found === undefined) return null;
      const fields = decode(found);
      return { id: firstString(fields, 1), repoTags: strings(fields, 2), repoDigests: strings(fields, 3) };
    },
    removeImage: async (image) => {
      await grpcUnary(socket, '/runtime.v1.ImageService/RemoveImage', messageField(1, imageSpec(image)));
    },
  };
}

/** Resolves once the CRI plugin answers (it refuses calls with "server is not initialized yet" while it starts). */
export async function waitForCri(service: CriImageService, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await service.version();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the CRI plugin did not answer in ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
