/**
 * Address strings as people type them ('Bob <bob@example.test>',
 * '"Doe, Jane" <j@example.test>', 'a@x, b@y') -> mailbox objects, with a
 * clear error naming the first one that is not an address.
 */
import addressparser from 'nodemailer/lib/addressparser';
import { PosternError } from '../common/errors.ts';

export interface Mailbox {
  name: string;
  address: string;
}

// local@domain: no spaces or address syntax characters on either side; the domain is
// dot-separated labels or an address literal. Deliberately loose on the local part
// (RFC 5321 allows much), strict on what would let one string smuggle in a second address.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@(?:[^\s@<>()[\]\\,;:".]+(?:\.[^\s@<>()[\]\\,;:".]+)*|\[[0-9A-Za-z:.]+\])$/;

export function isValidAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/**
 * Parses each string of `inputs` (one may hold several addresses, and groups
 * are replaced by their members). `field` names the header in error messages.
 */
export function parseAddressInputs(inputs: readonly string[], field: string): Mailbox[] {
  const out: Mailbox[] = [];
  for (const input of inputs) {
    const parsed = addressparser(input, { flatten: true });
    if (parsed.length === 0) throw badAddress(field, input);
    for (const mailbox of parsed) {
      const address = mailbox.address.trim();
      // Without angle brackets, any words beside the address are a typo ('bob@x.test bob'),
      // not a display name.
      const strayWords = !input.includes('<') && mailbox.name !== '';
      if (!isValidAddress(address) || strayWords) throw badAddress(field, input);
      out.push({ name: mailbox.name, address });
    }
  }
  return out;
}

function badAddress(field: string, input: string): PosternError {
  const shown = input.length > 100 ? `${input.slice(0, 100)}…` : input;
  return new PosternError('BAD_INPUT', `The ${field} address "${shown}" is not a valid e-mail address.`);
}
