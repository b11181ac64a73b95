/**
 * Named places where a test may kill the process on purpose, to prove that
 * a crash at exactly that step loses nothing and repeats nothing. Inert
 * unless POSTERN_FAILPOINT names the place; then the process is killed with
 * SIGKILL (no cleanup runs, as with a real crash or power loss).
 */
export type FailpointName =
  | 'pop3:after-retr'
  | 'pop3:after-commit'
  | 'pop3:after-dele'
  | 'send:before-submit'
  | 'send:after-submit'
  | 'send:before-sent-copy'
  | 'draft:after-save';

export function failpoint(name: FailpointName): void {
  if (process.env['POSTERN_FAILPOINT'] === name) process.kill(process.pid, 'SIGKILL');
}
