/** Phone numbers as they are stored and compared: one member per number, whatever way a till typed it. */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * E.164 (`+491701234567`), or undefined when the number is not a valid
 * number of any numbering plan. Without a leading `+` or `00` the number is
 * read in `defaultCountry`'s plan, when one is given.
 */
export const normalisePhone = (phone: string, defaultCountry?: string): string | undefined => {
  const parsed = parsePhoneNumberFromString(phone.trim().replace(/^00/, '+'), defaultCountry as never);
  return parsed?.isValid() ? parsed.number : undefined;
};
