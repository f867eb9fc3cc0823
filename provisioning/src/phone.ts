import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Region assumed for numbers written without a country code when the box file names none. */
export const DEFAULT_PHONE_REGION = 'FR';

/** True for an ISO 3166-1 alpha-2 region libphonenumber knows ("FR", "BE", "CH"…). */
export function isPhoneRegion(region: string): boolean {
  return isSupportedCountry(region);
}

/**
 * A phone number as E.164 (`+33639980001`), or null when it is not a valid number. Numbers without
 * a country code are read in `region` (the box file's; France by default): `0639980001`,
 * `06 39 98 00 01`, `33639980001`, `0033639980001` and `+33 6 39 98 00 01` are all `+33639980001`
 * for a French box. One function for the contacts the technician sets and the senders of replies,
 * so both compare equal (issue 10).
 */
export function toE164(input: string, region: string = DEFAULT_PHONE_REGION): string | null {
  const text = input.trim();
  if (text.length === 0 || text.length > 40) return null;
  const defaultCountry = isSupportedCountry(region) ? (region as CountryCode) : (DEFAULT_PHONE_REGION as CountryCode);
  try {
    let parsed = parsePhoneNumberFromString(text, { defaultCountry });
    // A national-looking number that is not valid in the region may be international without its
    // "+" (networks deliver "33639980001"): try that reading too.
    if ((!parsed || !parsed.isValid()) && /^[1-9]\d{7,14}$/.test(text)) parsed = parsePhoneNumberFromString(`+${text}`);
    return parsed && parsed.isValid() ? parsed.number : null;
  } catch {
    return null;
  }
}
