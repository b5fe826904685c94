/** Where account credentials come from. Values never leave the adapters; refs may be logged. */
export interface SecretSource {
  /** The secret behind a reference, as parsed JSON. Throws SecretError (naming the ref, never the value). */
  get(ref: string): Promise<Record<string, unknown>>;
  /** Forget a cached value (the provider answered 401/403 with it). */
  invalidate(ref: string): void;
}
