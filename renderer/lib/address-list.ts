/**
 * Splits what a person typed into a To/Cc/Bcc field into single addresses.
 * Commas and semicolons separate, except inside quotes ("Doe, Jane" <j@x>)
 * or angle brackets.
 */
export function splitAddressList(input: string): string[] {
  const out: string[] = [];
  let current = '';
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] ?? '';
    if (ch === '\\' && inQuotes && i + 1 < input.length) {
      current += ch + (input[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '<' && !inQuotes) inAngle = true;
    else if (ch === '>' && !inQuotes) inAngle = false;
    if ((ch === ',' || ch === ';') && !inQuotes && !inAngle) {
      if (current.trim()) out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/**
 * Where the address being typed starts: just after the last comma or
 * semicolon that is outside quotes and angle brackets (0 when there is none).
 */
export function currentTokenStart(input: string): number {
  let start = 0;
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] ?? '';
    if (ch === '\\' && inQuotes) {
      i++;
      continue;
    }
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '<' && !inQuotes) inAngle = true;
    else if (ch === '>' && !inQuotes) inAngle = false;
    else if ((ch === ',' || ch === ';') && !inQuotes && !inAngle) start = i + 1;
  }
  return start;
}

/** The address being typed (after the last separator), trimmed. */
export function currentToken(input: string): string {
  return input.slice(currentTokenStart(input)).trim();
}

/** A name and address as one mailbox, quoting the name when it holds characters that would split it. */
export function formatMailbox(name: string, address: string): string {
  const n = name.trim();
  if (!n || n.toLowerCase() === address.toLowerCase()) return address;
  const needsQuotes = /[",;<>@()[\]:\\.]/.test(n);
  return needsQuotes ? `"${n.replace(/(["\\])/g, '\\$1')}" <${address}>` : `${n} <${address}>`;
}

/** The field with the address being typed replaced by `mailbox`, ready for the next one. */
export function replaceCurrentToken(input: string, mailbox: string): string {
  const start = currentTokenStart(input);
  const head = input.slice(0, start).trimEnd();
  return `${head}${head ? ' ' : ''}${mailbox}, `;
}

/** The bare address of a mailbox ("Name <a@b>" or "a@b"), lower-cased, for comparisons. */
export function bareAddress(mailbox: string): string {
  const m = /<([^<>]*)>\s*$/.exec(mailbox);
  return (m ? (m[1] ?? '') : mailbox).trim().toLowerCase();
}

/**
 * A pasted list as one field: one address per line (as spreadsheets and
 * other mail clients copy them) becomes comma-separated, and an unquoted
 * "Last, First <a@b>" keeps its name whole instead of becoming two entries.
 */
export function normalisePastedList(pasted: string): string {
  const parts = splitAddressList(pasted.replace(/\r?\n+/g, ', '));
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const next = parts[i + 1];
    if (!part.includes('@') && !part.includes('"') && next !== undefined && /^[^"<>@,]+<[^<>]+>$/.test(next)) {
      const lt = next.indexOf('<');
      out.push(formatMailbox(`${part}, ${next.slice(0, lt).trim()}`, next.slice(lt + 1, -1).trim()));
      i++;
      continue;
    }
    out.push(part);
  }
  return out.join(', ');
}
