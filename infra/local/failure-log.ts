/**
 * Where the local cloud keeps what AWS would send to a failure destination:
 * stream records that failed every retry (an event source mapping's
 * on-failure queue), MQTT messages the topic rule could not deliver (its
 * error action) and failed job runs (a schedule's dead-letter queue).
 * Readable at GET /_local/failures.
 */
export interface Failure {
  readonly source: 'stream' | 'topicRule' | 'schedule';
  /** The consumer, rule or job that failed. */
  readonly name: string;
  readonly reason: string;
  readonly payload: unknown;
  readonly at: string;
}

export class FailureLog {
  readonly #failures: Failure[] = [];

  record(failure: Omit<Failure, 'at'>): void {
    this.#failures.push({ ...failure, at: new Date().toISOString() });
    console.error(`local ${failure.source} ${failure.name} failed for good: ${failure.reason}`);
  }

  list(): readonly Failure[] {
    return [...this.#failures];
  }
}
