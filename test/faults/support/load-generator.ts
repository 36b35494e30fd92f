export interface PlannedRequest<Tag> {
  readonly tag: Tag;
  readonly url: string;
  readonly init?: RequestInit;
}

export interface LoadResult<Tag> {
  readonly tag: Tag;
  /** Date.now() when the request was sent and when its whole response had arrived. */
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The HTTP status, or 0 when the request failed without one (connection refused or reset). */
  readonly status: number;
  readonly headers: Headers | null;
  /** The body parsed as JSON, or null when it is not JSON. */
  readonly body: unknown;
  readonly error?: string;
}

export interface LoadOptions<Tag> {
  readonly concurrency: number;
  /** The next request to send; null ends that worker. */
  readonly next: () => PlannedRequest<Tag> | null;
  readonly onResult: (result: LoadResult<Tag>) => void;
  /** Every worker stops sending when this is aborted (requests in flight finish). */
  readonly stop: AbortSignal;
  /** A bound on the whole run, whatever `next` and `stop` say. */
  readonly maxRequests: number;
}

/**
 * A closed-loop load generator on loopback: `concurrency` workers, each sending its next request once the
 * previous one has been answered, until `stop` is aborted, `next` runs dry or `maxRequests` were sent.
 */
export async function runLoad<Tag>(options: LoadOptions<Tag>): Promise<number> {
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (!options.stop.aborted && sent < options.maxRequests) {
      const planned = options.next();
      if (planned === null) return;
      sent += 1;
      options.onResult(await send(planned));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return sent;
}

async function send<Tag>(planned: PlannedRequest<Tag>): Promise<LoadResult<Tag>> {
  const startedAt = Date.now();
  try {
    const response = await fetch(planned.url, { ...planned.init, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { tag: planned.tag, startedAt, finishedAt: Date.now(), status: response.status, headers: response.headers, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { tag: planned.tag, startedAt, finishedAt: Date.now(), status: 0, headers: null, body: null, error: cause ?? String(error) };
  }
}
