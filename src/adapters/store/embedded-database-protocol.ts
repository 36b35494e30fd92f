import type { SqlParameter } from './sql-database.js';

/** Messages to the embedded store's thread; each is answered by an EmbeddedReply with the same id. */
export type EmbeddedRequest =
  | { readonly id: number; readonly kind: 'query'; readonly text: string; readonly parameters: readonly SqlParameter[]; readonly preparedAs?: string; readonly transaction?: number }
  | { readonly id: number; readonly kind: 'execute'; readonly script: string; readonly transaction?: number }
  | { readonly id: number; readonly kind: 'begin' }
  | { readonly id: number; readonly kind: 'end'; readonly transaction: number; readonly commit: boolean }
  | { readonly id: number; readonly kind: 'listen'; readonly channel: string }
  | { readonly id: number; readonly kind: 'unlisten'; readonly subscription: number }
  | { readonly id: number; readonly kind: 'close' };

/** A thrown error as it crosses threads: PostgreSQL's fields (code, detail, …) kept. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

/** id 0 answers the opening of the store; id -1 carries a notification of the subscription its `listen` id made. */
export type EmbeddedReply =
  | { readonly id: number; readonly ok: true; readonly value?: unknown; readonly notification?: { readonly subscription: number; readonly payload: string } }
  | { readonly id: number; readonly ok: false; readonly error: WireError };
