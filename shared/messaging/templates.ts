/**
 * What members read. Kept as code for now: a template is a function of the
 * message's variables, for email (subject, text, HTML) and SMS (one short
 * text with the opt-out hint carriers expect).
 */
export const templateNames = ['BIRTHDAY', 'BACK_IN_STOCK'] as const;
export type TemplateName = (typeof templateNames)[number];

export type TemplateVars = Readonly<Record<string, string | number>>;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const copy: Record<TemplateName, (v: TemplateVars) => { subject: string; body: string; sms: string }> = {
  BIRTHDAY: (v) => ({
    subject: `Happy birthday, ${v.name}!`,
    body: `Happy birthday, ${v.name}! As a ${v.tier} member you get ${v.points} points from us today. Enjoy your day.`,
    sms: `StockClub: Happy birthday ${v.name}! ${v.points} points are in your account.`,
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
