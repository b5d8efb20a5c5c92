import { describe, expect, it } from 'vitest';
import { applyTopicRule, topicMatches } from '../../../infra/local/mqtt.ts';
import { topicRules } from '../../../infra/topics.ts';

describe('local topic rules', () => {
  it.each([
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/DOCK-1/reads', true],
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/DOCK-1/events', false],
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/DOCK-1/reads/extra', false],
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/reads', false],
    ['stockclub/#', 'stockclub/WH-1/gates/DOCK-1/reads', true],
    ['stockclub/#', 'stockclub', true],
    ['stockclub/+', 'stockclub/a/b', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('hands the rule the payload plus the topic segments it names, which win over the payload', () => {
    const event = applyTopicRule(topicRules.gateReads, 'stockclub/WH-1/gates/DOCK-1/reads', Buffer.from('{"direction":"IN","locationId":"SPOOFED"}'));
    expect(event).toEqual({ direction: 'IN', locationId: 'WH-1', gateId: 'DOCK-1' });
  });

  it('refuses payloads that are not a JSON object', () => {
    expect(() => applyTopicRule(topicRules.gateReads, 'stockclub/WH-1/gates/DOCK-1/reads', Buffer.from('not json'))).toThrow(/JSON/);
    expect(() => applyTopicRule(topicRules.gateReads, 'stockclub/WH-1/gates/DOCK-1/reads', Buffer.from('[1,2]'))).toThrow(/not a JSON object/);
  });
});
