/**
 * IoT topic rules, declared once: the stack makes an AWS IoT topic rule of
 * each, the local MQTT broker applies the same rule to what gateways publish.
 * `payload` names the payload fields the rule passes on (nothing else: a
 * payload's own `locationId` must not stand in for the topic's), `fields`
 * the topic segments (1-based, as IoT SQL's `topic(n)`) it adds.
 */
import type { Grants } from './grants.ts';

export interface TopicRuleDefinition extends Grants {
  /** IoT rule names allow letters, digits and underscores only. */
  readonly ruleName: string;
  readonly topicFilter: string;
  /** The payload's top-level fields passed to the function; any other field is dropped. */
  readonly payload: readonly string[];
  readonly fields: Readonly<Record<string, number>>;
  readonly entry: string;
  readonly description: string;
}

export const topicRules = {
  gateReads: {
    ruleName: 'stockclub_gate_reads',
    topicFilter: 'stockclub/+/gates/+/reads',
    payload: ['readAt', 'direction', 'reads'],
    fields: { locationId: 2, gateId: 4 },
    entry: 'functions/iot/gate-reads.ts',
    description: 'RFID gate reads to the ingest function, with location and gate taken from the topic',
    // Inventory: GTIN lookups and RFID_IN/RFID_OUT movements; rfid: dedupe windows and serials.
    tables: { inventory: 'readWrite', rfid: 'readWrite' },
    // Acknowledgements and alarms go back to the gate on its events topic.
    publishesToGates: true,
  },
} as const satisfies Record<string, TopicRuleDefinition>;

export type TopicRuleName = keyof typeof topicRules;

/**
 * IoT SQL (version 2016-03-23) for a rule: the named payload fields plus its
 * topic fields. Not `SELECT *, topic(2) AS locationId`: with `*`, a payload
 * carrying its own `locationId` may win over the topic's, and a gateway
 * could book at a location its credentials do not cover.
 */
export const topicRuleSql = (rule: TopicRuleDefinition): string => {
  const fields = Object.entries(rule.fields).map(([name, segment]) => `topic(${segment}) AS ${name}`);
  return `SELECT ${[...rule.payload, ...fields].join(', ')} FROM '${rule.topicFilter}'`;
};

/** Where acknowledgements and alarms go back to a gate. */
export const gateEventsTopic = (locationId: string, gateId: string): string => `stockclub/${locationId}/gates/${gateId}/events`;

/** The topics a gateway may publish to: only under its own location and gate. */
export const gatePublishPrefix = (locationId: string, gateId: string): string => `stockclub/${locationId}/gates/${gateId}/`;
