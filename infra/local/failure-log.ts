/**
 * Where the local cloud keeps what AWS would send to a failure destination:
 * stream records that failed every retry (an event source mapping's
 * on-failure queue), MQTT messages the topic rule could not deliver (its
 * error action), failed job runs (the function's on-failure queue) and
 * queue messages that failed every receive (the queue's dead-letter queue).
 * Readable at GET /_local/failures; with `file`, also appended there as JSON
 * lines, so failures outlive the process (`npm start -- --data DIR` keeps
 * them next to the data).
 */
import { appendFileSync } from 'node:fs';

export interface Failure {
  readonly source: 'stream' | 'topicRule' | 'schedule' | 'queue';
  /** The consumer, rule or job that failed. */
  readonly name: string;
  readonly reason: string;
  readonly payload: unknown;
  readonly at: string;
}

/** Why a handler threw; for Powertools' FullBatchFailureError, each record's error rather than only that all failed. */
export const thrownReason = (error: unknown): string => {
  const recordErrors = (error as { recordErrors?: Error[] }).recordErrors;
  return recordErrors?.length ? recordErrors.map((e) => `${e.name}: ${e.message}`).join('; ') : (error as Error).message;
};

export class FailureLog {
  readonly #failures: Failure[] = [];
  readonly #file: string | undefined;

  constructor(options: { file?: string } = {}) {
    this.#file = options.file;
  }

  record(failure: Omit<Failure, 'at'>): void {
    const entry = { ...failure, at: new Date().toISOString() };
    this.#failures.push(entry);
    console.error(`local ${failure.source} ${failure.name} failed for good: ${failure.reason}`);
    if (this.#file) {
      try {
        appendFileSync(this.#file, `${JSON.stringify(entry)}\n`);
      } catch (error) {
        // The in-memory list still has it; a full disk must not take the broker or poller down.
        console.error(`failure log: could not append to ${this.#file}: ${(error as Error).message}`);
      }
    }
  }

  /** Oldest first; `source` narrows to one kind. */
  list(source?: Failure['source']): readonly Failure[] {
    return this.#failures.filter((f) => source === undefined || f.source === source);
  }

  /** Starts the list afresh (DELETE /_local/failures); the file, if any, keeps its history. */
  clear(): void {
    this.#failures.length = 0;
  }
}
