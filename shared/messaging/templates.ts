/**
 * What members read. Kept as code for now: a template is a function of the
 * message's variables, for email (subject, text, HTML), SMS (one short
 * text with the opt-out hint carriers expect) and app push (a short title
 * and body: lock screens show about 40 and 150 characters).
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

interface Copy {
  subject: string;
  body: string;
  sms: string;
  push: RenderedPush;
}

export interface RenderedPush {
  title: string;
  body: string;
}

const copy: Record<TemplateName, (v: TemplateVars) => Copy> = {
  WELCOME: (v) => ({
    subject: `Welcome to StockClub, ${v.name}`,
    body: `Welcome, ${v.name}! ${v.points} points are waiting for you as a welcome gift; use them before ${v.expiresOn}.`,
    sms: `StockClub: welcome ${v.name}! ${v.points} points are in your account.`,
    push: { title: 'Welcome to StockClub', body: `${v.points} points are waiting for you, ${v.name}.` },
  }),
  OFFER: (v) => ({
    subject: `${v.headline}`,
    body: `${v.name}, ${v.text}${v.points ? ` We have added ${v.points} points to your account.` : ''}`,
    sms: `StockClub: ${v.headline}${v.points ? ` (+${v.points} points)` : ''}`,
    push: { title: `${v.headline}`, body: `${v.text}${v.points ? ` +${v.points} points.` : ''}` },
  }),
  POINTS_EXPIRING: (v) => ({
    subject: `${v.points} points expire on ${v.expiresOn}`,
    body: `${v.name}, ${v.points} of your points expire on ${v.expiresOn}. Use them on your next visit.`,
    sms: `StockClub: ${v.points} points expire on ${v.expiresOn}.`,
    push: { title: `${v.points} points expire soon`, body: `They expire on ${v.expiresOn}. Use them on your next visit.` },
  }),
  BIRTHDAY: (v) => ({
    subject: `Happy birthday, ${v.name}!`,
    body: `Happy birthday, ${v.name}! As a ${v.tier} member you get ${v.points} points from us today. Enjoy your day.`,
    sms: `StockClub: Happy birthday ${v.name}! ${v.points} points are in your account.`,
    push: { title: `Happy birthday, ${v.name}!`, body: `${v.points} points from us are in your account.` },
  }),
  TIER_CHANGED: (v) => ({
    subject: `Your StockClub tier is now ${v.tier}`,
    body: `${v.name}, your purchases of the last ${v.months} months keep you at ${v.tier} (you were ${v.before}). Every purchase counts towards the next tier.`,
    sms: `StockClub: your tier is now ${v.tier}.`,
    push: { title: `Your tier is now ${v.tier}`, body: `Every purchase counts towards the next tier.` },
  }),
  SIGNUP_ATTEMPT: (v) => ({
    subject: 'Someone signed up to StockClub with your details',
    body: `${v.name}, someone signed up to StockClub today with the email or phone number of your membership. It stays with your membership. If it was you, sign in with your existing membership; if not, you need do nothing.`,
    sms: 'StockClub: someone signed up with your number today. It stays with your membership; if it was not you, do nothing.',
    push: { title: 'A signup with your details', body: 'Someone signed up with your email or number today. It stays with your membership.' },
  }),
  BACK_IN_STOCK: (v) => ({
    subject: `${v.productName} is back`,
    body: `${v.productName} is available again at ${v.locationName}. You asked us to tell you.`,
    sms: `StockClub: ${v.productName} is back at ${v.locationName}.`,
    push: { title: `${v.productName} is back`, body: `Available again at ${v.locationName}. You asked us to tell you.` },
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

/** Longest title and body a push carries: what lock screens show, and well inside the 4 KB payload APNs and FCM allow. */
const pushTitleMax = 60;
const pushBodyMax = 178;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** A push: a short title and body (no opt-out hint: the member turns push off in the app or with their consent). */
export const renderPush = (template: TemplateName, vars: TemplateVars): RenderedPush => {
  const { push } = copy[template](vars);
  return { title: clip(push.title, pushTitleMax), body: clip(push.body, pushBodyMax) };
};
