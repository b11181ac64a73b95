/**
 * Whether a POP3 command's +OK answer is one line or many. RFC 1939 decides
 * it by command and argument: LIST and UIDL list the whole maildrop without
 * an argument and one message with it; RETR, TOP and CAPA (RFC 2449) are
 * always multi-line. Reading this wrong either hangs the client (waiting for
 * a "." that never comes) or leaves the listing to be misread as the next
 * answer, so it lives in one place.
 */
const ALWAYS_MULTI = new Set(['RETR', 'TOP', 'CAPA']);
const MULTI_WITHOUT_ARGUMENT = new Set(['LIST', 'UIDL']);

export function isMultiLine(command: string, args: readonly string[]): boolean {
  const verb = command.toUpperCase();
  if (ALWAYS_MULTI.has(verb)) return true;
  return MULTI_WITHOUT_ARGUMENT.has(verb) && args.length === 0;
}
