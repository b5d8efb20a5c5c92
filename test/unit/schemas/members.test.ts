import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { defaultProgram, type Program } from '../../../shared/domain/tiers.ts';
import { maxSaleLineQty, maxSaleTotal, maxUnitPrice } from '../../../shared/schemas/common.ts';
import { PromotionInput } from '../../../shared/schemas/promotions.ts';
import {
  AdjustmentRequest,
  Birthday,
  CampaignInput,
  MemberInput,
  MemberPatch,
  MemberTags,
  maxPointsMultiplier,
  maxPointsPerCurrencyUnit,
  maxSaleLines,
  ProgramSchema,
  SaleRequest,
} from '../../../shared/schemas/members.ts';

/** The issues a schema reports, as `path: message`, or [] when the value parses. */
const issues = (schema: z.ZodType, value: unknown): string[] => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const parsed = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> => schema.parse(value);

const member = { name: 'Ada Lovelace', email: 'ada@example.com' };

describe('MemberInput', () => {
  it('accepts a full profile and gives it back normalised', () => {
    expect(
      parsed(MemberInput, {
        name: '  Ada Lovelace ',
        email: '  Ada.Lovelace@Example.COM ',
        phone: '0049 170 1234567',
        birthday: '1990-12-10',
        timeZone: 'Europe/Berlin',
        consent: { email: true, sms: false },
        consentSource: 'POS',
      }),
    ).toEqual({
      name: 'Ada Lovelace',
      email: 'ada.lovelace@example.com',
      phone: '+491701234567',
      birthday: '1990-12-10',
      timeZone: 'Europe/Berlin',
      consent: { email: true, sms: false },
      consentSource: 'POS',
    });
  });

  describe('email', () => {
    it('is trimmed and lower-cased', () => {
      expect(parsed(MemberInput, { name: 'A', email: ' \tFOO@Example.Com  ' }).email).toBe('foo@example.com');
    });

    it.each(['not-an-email', 'a@', '@b.de', 'a b@c.de', ''])('refuses %j', (email) => {
      expect(issues(MemberInput, { name: 'A', email })).toEqual(['email: Invalid email address']);
    });

    it('refuses more than 254 characters', () => {
      const email = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`; // 254
      expect(email).toHaveLength(254);
      expect(issues(MemberInput, { name: 'A', email })).toEqual([]);
      expect(issues(MemberInput, { name: 'A', email: `a${email}` })).toHaveLength(1);
      expect(issues(MemberInput, { name: 'A', email: `a${email}` })[0]).toMatch(/^email: /);
    });
  });

  describe('phone', () => {
    it.each([
      ['+49 170 1234567', '+491701234567'],
      ['0049 170 1234567', '+491701234567'],
      ['+1 (202) 555-0123', '+12025550123'],
    ])('normalises %s to %s', (phone, e164) => {
      expect(parsed(MemberInput, { name: 'A', phone })).toEqual({ name: 'A', phone: e164 });
    });

    it.each(['0170 1234567', '(030) 1234567', '+49 30 12', 'call me'])('refuses %j (needs a valid number with country code)', (phone) => {
      expect(issues(MemberInput, { name: 'A', phone })).toEqual(['phone: a valid phone number with country code, e.g. +49 170 1234567']);
    });

    it('refuses more than 32 characters', () => {
      expect(issues(MemberInput, { name: 'A', phone: `+49 170 1234567${' '.repeat(18)}` })).toHaveLength(1);
    });
  });

  it('needs email, phone or both', () => {
    expect(issues(MemberInput, { name: 'A' })).toEqual(['email: give email, phone or both']);
    expect(issues(MemberInput, { name: 'A', email: 'a@b.de' })).toEqual([]);
    expect(issues(MemberInput, { name: 'A', phone: '+491701234567' })).toEqual([]);
    expect(issues(MemberInput, { name: 'A', email: 'a@b.de', phone: '+491701234567' })).toEqual([]);
  });

  describe('birthday', () => {
    it.each(['2024-02-29', '2000-02-29', '1990-01-01', '1999-12-31', '2023-04-30'])('accepts the real date %s', (birthday) => {
      expect(parsed(MemberInput, { ...member, birthday }).birthday).toBe(birthday);
    });

    it.each(['2023-02-29', '1900-02-29', '2024-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-01-32'])(
      'refuses %s, not a calendar date',
      (birthday) => {
        expect(issues(MemberInput, { ...member, birthday })).toEqual(['birthday: a real calendar date']);
      },
    );

    it.each(['24-02-29', '2024-2-29', '2024/02/29', '29.02.2024', '2024-02-29T00:00:00Z', ''])('refuses %j, not YYYY-MM-DD', (birthday) => {
      expect(issues(MemberInput, { ...member, birthday })).toContain('birthday: YYYY-MM-DD');
    });

    it('accepts exactly the dates the calendar has', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
          const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
          expect(Birthday.safeParse(date).success).toBe(d <= daysInMonth);
        }),
      );
    });
  });

  describe('time zone', () => {
    it.each(['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kolkata'])('accepts %s', (timeZone) => {
      expect(parsed(MemberInput, { ...member, timeZone }).timeZone).toBe(timeZone);
    });

    it.each(['Mars/Olympus_Mons', 'Europe/Atlantis', '', 'Berlin'])('refuses %j', (timeZone) => {
      expect(issues(MemberInput, { ...member, timeZone })).toEqual(['timeZone: an IANA time zone such as Europe/Berlin']);
    });
  });

  it('refuses unknown fields, at the top and in consent', () => {
    expect(issues(MemberInput, { ...member, tier: 'PLATINUM' })).toEqual([': Unrecognized key: "tier"']);
    expect(issues(MemberInput, { ...member, consent: { email: true, post: true } })).toEqual(['consent: Unrecognized key: "post"']);
  });

  it('needs a non-blank name of at most 200 characters, trimmed', () => {
    expect(issues(MemberInput, { email: 'a@b.de' })).toHaveLength(1);
    expect(issues(MemberInput, { name: '   ', email: 'a@b.de' })[0]).toMatch(/^name: /);
    expect(issues(MemberInput, { name: 'x'.repeat(201), email: 'a@b.de' })[0]).toMatch(/^name: /);
    expect(parsed(MemberInput, { name: ` ${'x'.repeat(200)} `, email: 'a@b.de' }).name).toHaveLength(200);
  });

  it.each(['Eve\r\nBcc: all@example.com', 'Eve\nX', 'Eve\u0000', 'Eve\u0085X', 'Eve\u2028X', 'Eve\tX', 'Eve\u007fX'])(
    'refuses a name with a control character or line separator: %j (it would reach an email Subject)',
    (name) => {
      expect(issues(MemberInput, { name, email: 'a@b.de' })).toEqual(['name: one line of text without control characters']);
      expect(issues(MemberPatch, { name })).toEqual(['name: one line of text without control characters']);
    },
  );

  it('accepts names in any script, and refuses an email address with a line break inside', () => {
    expect(issues(MemberInput, { name: 'Zoë Ōtsuka-Łukasz 李 𝕏', email: 'a@b.de' })).toEqual([]);
    expect(issues(MemberInput, { name: 'Eve', email: 'eve@example.com\r\nBcc: all@example.com' })[0]).toMatch(/^email: /);
    expect(issues(MemberInput, { name: 'Eve', email: 'eve\n@example.com' })[0]).toMatch(/^email: /);
  });
});

describe('MemberPatch', () => {
  it('needs at least one field, each checked like MemberInput', () => {
    expect(issues(MemberPatch, {})).toEqual([': change at least one field']);
    expect(parsed(MemberPatch, { email: ' X@Y.DE ' })).toEqual({ email: 'x@y.de' });
    expect(parsed(MemberPatch, { phone: '0049 170 1234567' })).toEqual({ phone: '+491701234567' });
    expect(issues(MemberPatch, { birthday: '2023-02-29' })).toEqual(['birthday: a real calendar date']);
    expect(issues(MemberPatch, { nickname: 'x' })).toContain(': Unrecognized key: "nickname"');
  });
});

describe('SaleRequest', () => {
  const line = { sku: 'SKU-1', qty: 1, unitPrice: 1999 };
  // The saleId is required in the body schema (issue 16 item 4); an Idempotency-Key header fills it in before the schema runs.
  const sale = (extra: Record<string, unknown> = {}) => ({ saleId: 'sale-0', locationId: 'S1', lines: [line], ...extra });

  it('accepts a minimal and a full sale', () => {
    expect(parsed(SaleRequest, sale())).toEqual({ saleId: 'sale-0', locationId: 'S1', lines: [line] });
    expect(
      parsed(SaleRequest, sale({ saleId: 'sale-1', memberId: 'm-1', redeemPoints: 100, lines: [{ ...line, epcs: ['30340242201d8840009efdf7'] }] })),
    ).toEqual({ saleId: 'sale-1', locationId: 'S1', memberId: 'm-1', redeemPoints: 100, lines: [{ ...line, epcs: ['30340242201D8840009EFDF7'] }] });
  });

  it(`takes 1 to ${maxSaleLines} lines`, () => {
    expect(maxSaleLines).toBe(40);
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ ...line, sku: `SKU-${i}` }));
    expect(issues(SaleRequest, sale({ lines: [] }))).toHaveLength(1);
    expect(issues(SaleRequest, sale({ lines: lines(1) }))).toEqual([]);
    expect(issues(SaleRequest, sale({ lines: lines(40) }))).toEqual([]);
    expect(issues(SaleRequest, sale({ lines: lines(41) }))).toHaveLength(1);
    expect(issues(SaleRequest, sale({ lines: lines(41) }))[0]).toMatch(/^lines: /);
  });

  it.each([0, -1, 1.5, maxSaleLineQty + 1, '1', null])('refuses qty %j', (qty) => {
    const found = issues(SaleRequest, sale({ lines: [{ ...line, qty }] }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^lines\.0\.qty: /);
  });

  it.each([1, maxSaleLineQty])('accepts qty %i', (qty) => {
    expect(issues(SaleRequest, sale({ lines: [{ ...line, qty }] }))).toEqual([]);
  });

  it.each([19.99, -1, 0.5, maxUnitPrice + 1, '1999'])('refuses unitPrice %j (integer minor units)', (unitPrice) => {
    const found = issues(SaleRequest, sale({ lines: [{ ...line, unitPrice }] }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^lines\.0\.unitPrice: /);
  });

  it('bounds a sale so its totals stay safe integers: 10^4 units of 10^9 per line, 10^11 in all', () => {
    expect([maxSaleLineQty, maxUnitPrice, maxSaleTotal]).toEqual([10_000, 1_000_000_000, 100_000_000_000]);
    // The most a sale may be: 100 units at the highest unit price, or any mix with the same total.
    const most = [{ sku: 'SKU-1', qty: 100, unitPrice: maxUnitPrice }];
    expect(issues(SaleRequest, sale({ lines: most }))).toEqual([]);
    expect(issues(SaleRequest, sale({ lines: [...most, { sku: 'ONE-MORE', qty: 1, unitPrice: 1 }] }))).toEqual([
      `lines: at most ${maxSaleTotal} minor units in total`,
    ]);
    expect(issues(SaleRequest, sale({ lines: [{ sku: 'SKU-1', qty: maxSaleLineQty, unitPrice: maxSaleTotal / maxSaleLineQty }] }))).toEqual([]);
    // The sale the review sent: qty 100000 at 100000000000 each.
    expect(issues(SaleRequest, sale({ lines: [{ ...line, qty: 100_000, unitPrice: 100_000_000_000 }] }))).toContain(
      'lines.0.qty: Too big: expected number to be <=10000',
    );
    expect(Number.isSafeInteger(maxSaleTotal * maxPointsPerCurrencyUnit * maxPointsMultiplier)).toBe(true);
  });

  it('accepts a free item', () => {
    expect(issues(SaleRequest, sale({ lines: [{ ...line, unitPrice: 0 }] }))).toEqual([]);
  });

  it('refuses unknown fields, bad ids, a missing location and zero points', () => {
    expect(issues(SaleRequest, sale({ discount: 5 }))).toEqual([': Unrecognized key: "discount"']);
    expect(issues(SaleRequest, sale({ lines: [{ ...line, price: 1 }] }))).toEqual(['lines.0: Unrecognized key: "price"']);
    expect(issues(SaleRequest, sale({ lines: [{ ...line, sku: 'A/B' }] }))[0]).toMatch(/^lines\.0\.sku: /);
    expect(issues(SaleRequest, { saleId: 'sale-0', lines: [line] })[0]).toMatch(/^locationId: /);
    expect(issues(SaleRequest, sale({ redeemPoints: 0 }))[0]).toMatch(/^redeemPoints: /);
    expect(issues(SaleRequest, sale({ redeemPoints: 1.5 }))[0]).toMatch(/^redeemPoints: /);
    expect(issues(SaleRequest, sale({ lines: [{ ...line, epcs: ['not-hex'] }] }))[0]).toMatch(/^lines\.0\.epcs\.0: /);
  });
});

describe('ProgramSchema', () => {
  const withTiers = (tiers: unknown): unknown => ({ ...defaultProgram, tiers });
  const tiers = defaultProgram.tiers;

  it('accepts the default program unchanged', () => {
    expect(parsed(ProgramSchema, defaultProgram)).toEqual(defaultProgram);
  });

  it('needs exactly four tiers', () => {
    expect(issues(ProgramSchema, withTiers(tiers.slice(0, 3)))[0]).toMatch(/^tiers: /);
    expect(issues(ProgramSchema, withTiers([...tiers, tiers[3]]))[0]).toMatch(/^tiers: /);
  });

  it('needs the tiers in order REGULAR, SILVER, GOLD, PLATINUM', () => {
    expect(issues(ProgramSchema, withTiers([tiers[0], tiers[2], tiers[1], tiers[3]]))).toContain(
      'tiers: one rule per tier, in order REGULAR, SILVER, GOLD, PLATINUM',
    );
    expect(issues(ProgramSchema, withTiers([tiers[0], tiers[1], tiers[1], tiers[3]]))).toContain(
      'tiers: one rule per tier, in order REGULAR, SILVER, GOLD, PLATINUM',
    );
  });

  it('refuses thresholds on REGULAR', () => {
    expect(issues(ProgramSchema, withTiers([{ ...tiers[0], minSpend: 1 }, ...tiers.slice(1)]))).toEqual(['tiers: REGULAR has no thresholds']);
    expect(issues(ProgramSchema, withTiers([{ ...tiers[0], minVisits: 1 }, ...tiers.slice(1)]))).toEqual(['tiers: REGULAR has no thresholds']);
  });

  it('needs thresholds that rise with the tier, spend and visits both', () => {
    expect(issues(ProgramSchema, withTiers([tiers[0], tiers[1], { ...tiers[2]!, minSpend: 40_000 }, tiers[3]]))).toEqual([
      'tiers: thresholds rise with the tier',
    ]);
    expect(issues(ProgramSchema, withTiers([tiers[0], tiers[1], tiers[2], { ...tiers[3]!, minVisits: 11 }]))).toEqual(['tiers: thresholds rise with the tier']);
    // equal thresholds are allowed (the higher tier then always wins)
    expect(issues(ProgramSchema, withTiers([tiers[0], tiers[1], { ...tiers[2]!, minSpend: 50_000, minVisits: 5 }, tiers[3]]))).toEqual([]);
  });

  it('bounds the numbers', () => {
    expect(issues(ProgramSchema, withTiers([tiers[0], { ...tiers[1]!, discountPercent: 91 }, tiers[2], tiers[3]]))[0]).toMatch(/^tiers\.1\.discountPercent: /);
    expect(issues(ProgramSchema, withTiers([tiers[0], { ...tiers[1]!, minSpend: 1.5 }, tiers[2], tiers[3]]))[0]).toMatch(/^tiers\.1\.minSpend: /);
    expect(issues(ProgramSchema, { ...defaultProgram, rollingMonths: 0 })[0]).toMatch(/^rollingMonths: /);
    expect(issues(ProgramSchema, { ...defaultProgram, rollingMonths: 37 })[0]).toMatch(/^rollingMonths: /);
    expect(issues(ProgramSchema, { ...defaultProgram, points: { ...defaultProgram.points, pointValue: 0 } })[0]).toMatch(/^points\.pointValue: /);
    expect(issues(ProgramSchema, { ...defaultProgram, reviewGraceDays: -1 })[0]).toMatch(/^reviewGraceDays: /);
  });

  it('refuses unknown fields', () => {
    expect(issues(ProgramSchema, { ...defaultProgram, bonus: 1 })).toEqual([': Unrecognized key: "bonus"']);
    expect(issues(ProgramSchema, withTiers([{ ...tiers[0], colour: 'grey' }, ...tiers.slice(1)]))).toContain('tiers.0: Unrecognized key: "colour"');
  });

  it('accepts any program with rising thresholds from zero', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000_000), { minLength: 3, maxLength: 3 }), fc.array(fc.nat(100), { minLength: 3, maxLength: 3 }), (spends, visits) => {
        const s = [...spends].sort((a, b) => a - b);
        const v = [...visits].sort((a, b) => a - b);
        const program: Program = {
          ...defaultProgram,
          tiers: tiers.map((t, i) => (i === 0 ? t : { ...t, minSpend: s[i - 1]!, minVisits: v[i - 1]! })),
        };
        expect(issues(ProgramSchema, program)).toEqual([]);
      }),
    );
  });
});

describe('AdjustmentRequest', () => {
  it('accepts a positive or negative whole number of points with a reason', () => {
    expect(parsed(AdjustmentRequest, { adjustmentId: 'adj-0', points: 250, reason: 'goodwill' })).toEqual({
      adjustmentId: 'adj-0',
      points: 250,
      reason: 'goodwill',
    });
    expect(parsed(AdjustmentRequest, { points: -40, reason: 'correction', adjustmentId: 'adj-1', expiryDays: 30 })).toEqual({
      points: -40,
      reason: 'correction',
      adjustmentId: 'adj-1',
      expiryDays: 30,
    });
  });

  it('refuses zero', () => {
    expect(issues(AdjustmentRequest, { adjustmentId: 'adj-0', points: 0, reason: 'x' })).toEqual(['points: not zero']);
  });

  it.each([1.5, 10_000_001, -10_000_001, '5'])('refuses points %j', (points) => {
    expect(issues(AdjustmentRequest, { adjustmentId: 'adj-0', points, reason: 'x' })[0]).toMatch(/^points: /);
  });

  it('needs a reason and refuses unknown fields', () => {
    expect(issues(AdjustmentRequest, { adjustmentId: 'adj-0', points: 5 })[0]).toMatch(/^reason: /);
    expect(issues(AdjustmentRequest, { adjustmentId: 'adj-0', points: 5, reason: '' })[0]).toMatch(/^reason: /);
    expect(issues(AdjustmentRequest, { adjustmentId: 'adj-0', points: 5, reason: 'x', expiryDays: 0 })[0]).toMatch(/^expiryDays: /);
    expect(issues(AdjustmentRequest, { adjustmentId: 'adj-0', points: 5, reason: 'x', memberId: 'm' })).toEqual([': Unrecognized key: "memberId"']);
  });
});

describe('holidays in the program', () => {
  const holiday = { holidayId: 'leap', name: 'Leap day', date: '02-29', headline: 'A rare day', text: 'enjoy it.', pointsByTier: { GOLD: 100 } };

  it('takes any day a year can have, 29 February included', () => {
    expect(issues(ProgramSchema, { ...defaultProgram, holidays: [holiday] })).toEqual([]);
  });

  it.each(['02-30', '04-31', '13-01', '00-10', '2-1'])('refuses %s: a holiday that could never come', (date) => {
    expect(issues(ProgramSchema, { ...defaultProgram, holidays: [{ ...holiday, date }] })[0]).toMatch(/^holidays\.0\.date: /);
  });

  it('refuses two holidays with one id and gifts for tiers that do not exist', () => {
    expect(issues(ProgramSchema, { ...defaultProgram, holidays: [holiday, holiday] })).toEqual(['holidays: holidayId is unique']);
    expect(issues(ProgramSchema, { ...defaultProgram, holidays: [{ ...holiday, pointsByTier: { gold: 100 } }] })[0]).toMatch(/^holidays\.0\.pointsByTier/);
  });
});

describe('CampaignInput', () => {
  const campaign = { campaignId: 'c-0', name: 'Tents', segment: { affinity: { skus: ['TENT-2P'] } }, channels: ['email'], headline: 'Tents', text: 'for you.' };

  it('takes a product-affinity segment, a tagged group, a schedule and a gift', () => {
    expect(
      issues(CampaignInput, {
        ...campaign,
        segment: { tags: ['vip'], affinity: { skus: ['TENT-2P', 'STOVE'], withinDays: 90 } },
        sendAt: '2026-12-01T09:00:00+09:00',
        gift: { pointsByTier: { SILVER: 50 } },
      }),
    ).toEqual([]);
  });

  it('refuses a SKU named twice, too many SKUs, odd tags and gifts for unknown tiers', () => {
    expect(issues(CampaignInput, { ...campaign, segment: { affinity: { skus: ['A', 'A'] } } })).toEqual(['segment.affinity.skus: each SKU once']);
    expect(issues(CampaignInput, { ...campaign, segment: { affinity: { skus: Array.from({ length: 21 }, (_, i) => `S${i}`) } } })[0]).toMatch(
      /^segment\.affinity\.skus: /,
    );
    expect(issues(CampaignInput, { ...campaign, segment: { tags: ['Not A Tag'] } })[0]).toMatch(/^segment\.tags\.0: /);
    expect(issues(CampaignInput, { ...campaign, gift: { pointsByTier: { DIAMOND: 5 } } })[0]).toMatch(/^gift\.pointsByTier/);
  });

  it('refuses a line break in what becomes the email subject or names the campaign; the text may have lines', () => {
    expect(issues(CampaignInput, { ...campaign, headline: 'Sale\r\nBcc: all@example.com' })).toEqual(['headline: one line of text without control characters']);
    expect(issues(CampaignInput, { ...campaign, name: 'Tents\n' })).toEqual(['name: one line of text without control characters']);
    expect(issues(CampaignInput, { ...campaign, text: 'Line one.\nLine two.' })).toEqual([]);
    const holiday = { holidayId: 'x', name: 'X', date: '01-01', headline: 'New\rYear', text: 't' };
    expect(issues(ProgramSchema, { ...defaultProgram, holidays: [holiday] })).toEqual(['holidays.0.headline: one line of text without control characters']);
  });

  it('refuses reversed ranges: expiry before the send time, a spend band upside down', () => {
    const sendAt = '2030-01-01T09:00:00Z';
    expect(issues(CampaignInput, { ...campaign, sendAt, expiresAt: '2029-12-31T09:00:00Z' })).toEqual(['expiresAt: expiresAt must be after sendAt']);
    // Equal instants written with different offsets are still reversed (nothing could be sent).
    expect(issues(CampaignInput, { ...campaign, sendAt, expiresAt: '2030-01-01T10:00:00+01:00' })).toEqual(['expiresAt: expiresAt must be after sendAt']);
    expect(issues(CampaignInput, { ...campaign, sendAt, expiresAt: '2030-01-01T09:00:01Z' })).toEqual([]);
    expect(issues(CampaignInput, { ...campaign, segment: { minSpend: 500, maxSpend: 499 } })).toEqual(['segment.maxSpend: maxSpend must be at least minSpend']);
    expect(issues(CampaignInput, { ...campaign, segment: { minSpend: 500, maxSpend: 500 } })).toEqual([]);
  });

  it(`bounds the program's points rates so one sale earns at most 10^12 points`, () => {
    const points = { ...defaultProgram.points, perCurrencyUnit: maxPointsPerCurrencyUnit };
    expect(issues(ProgramSchema, { ...defaultProgram, points })).toEqual([]);
    expect(issues(ProgramSchema, { ...defaultProgram, points: { ...points, perCurrencyUnit: maxPointsPerCurrencyUnit + 1 } })[0]).toMatch(
      /^points\.perCurrencyUnit: /,
    );
    const tiers = defaultProgram.tiers.map((t) => ({ ...t, pointsMultiplier: maxPointsMultiplier }));
    expect(issues(ProgramSchema, { ...defaultProgram, tiers })).toEqual([]);
    expect(issues(ProgramSchema, { ...defaultProgram, tiers: tiers.map((t) => ({ ...t, pointsMultiplier: maxPointsMultiplier + 0.01 })) })[0]).toMatch(
      /^tiers\.0\.pointsMultiplier: /,
    );
  });
});

describe('MemberTags', () => {
  it('takes lower-case tags and refuses others or too many', () => {
    expect(issues(MemberTags, { tags: ['vip-evening', 'staff'] })).toEqual([]);
    expect(issues(MemberTags, { tags: ['VIP'] })[0]).toMatch(/^tags\.0: /);
    expect(issues(MemberTags, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })[0]).toMatch(/^tags: /);
  });
});

describe('calendar dates in a promotion', () => {
  const rule = (from: string) => ({
    ruleId: 'r1',
    name: 'Spend 300, get 50 off',
    kind: 'SPEND_THRESHOLD_OFF',
    minSpend: 30000,
    amountOff: 5000,
    conditions: { from },
  });

  it.each(['2026-02-30', '9999-99-99', '\u{10494a}\u{1334a}x', '2026-1-1'])('refuses %s as a 400 issue, never a thrown RangeError', (from) => {
    const parsed = PromotionInput.safeParse(rule(from));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.some((i) => i.path.join('.') === 'conditions.from')).toBe(true);
  });

  it('takes a real date', () => {
    expect(PromotionInput.safeParse(rule('2026-02-28')).success).toBe(true);
  });
});
