/**
 * What members read. Kept as code for now: a template is a function of the
 * message's variables, for email (subject, text, HTML) and SMS (one short
 * text with the opt-out hint carriers expect).
 */
export const templateNames = ['WELCOME', 'BIRTHDAY', 'BACK_IN_STOCK', 'POINTS_EXPIRING', 'OFFER', 'TIER_CHANGED', 'SIGNUP_ATTEMPT'] as const;
export type TemplateName = (typeof templateNames)[number];

export type TemplateVars = Readonly<Record<string, string | number>>;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const copy: Record<TemplateName, (v: TemplateVars) => { subject: string; body: string; sms: string }> = {
  WELCOME: (v) => ({
    subject: `Welcome to StockClub, ${v.name}`,
    body: `Welcome, ${v.name}! ${v.points} points are waiting for you as a welcome gift; use them before ${v.expiresOn}.`,
    sms: `StockClub: welcome ${v.name}! ${v.points} points are in your account.`,
  }),
  OFFER: (v) => ({
    subject: `${v.headline}`,
    body: `${v.name}, ${v.text}${v.points ? ` We have added ${v.points} points to your account.` : ''}`,
    sms: `StockClub: ${v.headline}${v.points ? ` (+${v.points} points)` : ''}`,
  }),
  POINTS_EXPIRING: (v) => ({
    subject: `${v.points} points expire on ${v.expiresOn}`,
    body: `${v.name}, ${v.points} of your points expire on ${v.expiresOn}. Use them on your next visit.`,
    sms: `StockClub: ${v.points} points expire on ${v.expiresOn}.`,
  }),
  BIRTHDAY: (v) => ({
    subject: `Happy birthday, ${v.name}!`,
    body: `Happy birthday, ${v.name}! As a ${v.tier} member you get ${v.points} points from us today. Enjoy your day.`,
    sms: `StockClub: Happy birthday ${v.name}! ${v.points} points are in your account.`,
  }),
  TIER_CHANGED: (v) => ({
    subject: `Your StockClub tier is now ${v.tier}`,
    body: `${v.name}, your purchases of the last ${v.months} months keep you at ${v.tier} (you were ${v.before}). Every purchase counts towards the next tier.`,
    sms: `StockClub: your tier is now ${v.tier}.`,
  }),
  SIGNUP_ATTEMPT: (v) => ({
    subject: 'Someone signed up to StockClub with your details',
    body: `${v.name}, someone signed up to StockClub today with the email or phone number of your membership. It stays with your membership. If it was you, sign in with your existing membership; if not, you need do nothing.`,
    sms: 'StockClub: someone signed up with your number today. It stays with your membership; if it was not you, do nothing.',
  }),
  BACK_IN_STOCK: (v) => ({
    subject: `${v.productName} is back`,
    body: `${v.productName} is available again at ${v.locationName}. You asked us to tell you.`,
    sms: `StockClub: ${v.productName} is back at ${v.locationName}.`,
  }),
};

export const renderEmail = (template: TemplateName, vars: TemplateVars): RenderedEmail => {
  const { subject, body } = copy[template](vars);
  return { subject, text: body, html: `<!doctype html><html><body><p>${escapeHtml(body)}</p></body></html>` };
};

export const renderText = (template: TemplateName, vars: TemplateVars, kind: 'marketing' | 'transactional'): string => {
  const { sms } = copy[template](vars);
  return kind === 'marketing' ? `${sms} Reply STOP to opt out.` : sms;
};
