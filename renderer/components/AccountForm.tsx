/**
 * The add-account form. It only collects and shapes the values; the caller
 * sends them and hands back the error, which is shown where it belongs: on
 * the field the engine named, or above the buttons in the server's words.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { AccountAddInput, AccountDiscovery, Security } from '../../src-protocol/contract/index.ts';
import { ERROR_CODES } from '../../src-protocol/contract/index.ts';
import type { ShownError } from '../lib/loadable.ts';
import { INITIAL_SIGN_IN, SignInFields, type SignInValues } from './SignInFields.tsx';

export interface AccountFormProps {
  onSubmit: (input: AccountAddInput) => void;
  onCancel: (() => void) | null;
  busy: boolean;
  /** What happened on the last submit: step text while busy. */
  busyText: string;
  error: ShownError | null;
  /** Looks up the server settings for an address (mail:accounts.discover); absent: none are looked up. */
  discover?: (email: string, signal: AbortSignal) => Promise<AccountDiscovery>;
}

/** What the look-up of an address's settings is doing, for the line under the address. */
type Discovery =
  | { state: 'idle' }
  | { state: 'looking'; domain: string }
  | { state: 'done'; result: AccountDiscovery; applied: boolean }
  | { state: 'failed'; domain: string; message: string };

/** An address worth looking up: something@domain.tld. */
const LOOKS_LIKE_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const DEFAULT_PORT = {
  imap: { tls: '993', starttls: '143' },
  pop3: { tls: '995', starttls: '110' },
  smtp: { tls: '465', starttls: '587' },
} as const;

type Incoming = 'imap' | 'pop3';

type Values = SignInValues & {
  name: string;
  email: string;
  user: string;
  imapHost: string;
  imapPort: string;
  imapSecurity: Security;
  incoming: Incoming;
  leaveOnServer: boolean;
  deleteAfterDays: string;
  deleteWhenDeletedHere: boolean;
  previewOverKib: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: Security;
  ca: string;
};

const INITIAL: Values = {
  ...INITIAL_SIGN_IN,
  name: '',
  email: '',
  user: '',
  imapHost: '',
  imapPort: DEFAULT_PORT.imap.tls,
  imapSecurity: 'tls',
  incoming: 'imap',
  leaveOnServer: true,
  deleteAfterDays: '',
  deleteWhenDeletedHere: false,
  previewOverKib: '',
  smtpHost: '',
  smtpPort: DEFAULT_PORT.smtp.starttls,
  smtpSecurity: 'starttls',
  ca: '',
};

/** Contract field paths -> the form control that holds them. */
const FIELD_OF: Record<string, keyof Values> = {
  name: 'name',
  email: 'email',
  user: 'user',
  password: 'password',
  oauth: 'clientId',
  'oauth.client_id': 'clientId',
  'oauth.auth_url': 'clientId',
  'oauth.token_url': 'clientId',
  'oauth.scopes': 'clientId',
  'oauth.provider': 'clientId',
  'imap.host': 'imapHost',
  'imap.port': 'imapPort',
  'imap.security': 'imapSecurity',
  'pop3.host': 'imapHost',
  'pop3.port': 'imapPort',
  'pop3.security': 'imapSecurity',
  'smtp.host': 'smtpHost',
  'smtp.port': 'smtpPort',
  'smtp.security': 'smtpSecurity',
  ca_pem: 'ca',
};

/** Engine codes whose cause is one field, so the message goes next to it. */
function fieldForError(err: ShownError): keyof Values | null {
  if (err.field) return FIELD_OF[err.field] ?? null;
  if (err.code === 'AUTH_FAILED') return 'password';
  if (err.code === 'TLS_UNTRUSTED') return 'ca';
  return null;
}

export function AccountForm(props: AccountFormProps) {
  const [v, setV] = useState<Values>(INITIAL);
  /** The person typed a user name of their own: the address no longer fills it in. (Refs: read by a look-up that ends later.) */
  const userEdited = useRef(false);
  /** The person changed a server field: settings found later no longer overwrite them. */
  const serversEdited = useRef(false);
  const [caFileError, setCaFileError] = useState<string | null>(null);
  const [discovery, setDiscovery] = useState<Discovery>({ state: 'idle' });
  const lookup = useRef<{ email: string; controller: AbortController } | null>(null);
  useEffect(() => () => lookup.current?.controller.abort(), []);

  const set = <K extends keyof Values>(key: K, value: Values[K]) => setV((prev) => ({ ...prev, [key]: value }));
  const setServer = <K extends keyof Values>(key: K, value: Values[K]) => {
    serversEdited.current = true;
    set(key, value);
  };

  /** Once the address is typed (the field is left), its servers are looked up and filled in. */
  function discoverSettings(): void {
    const email = v.email.trim();
    const discover = props.discover;
    if (!discover || !LOOKS_LIKE_ADDRESS.test(email) || lookup.current?.email === email) return;
    lookup.current?.controller.abort();
    const controller = new AbortController();
    lookup.current = { email, controller };
    setDiscovery({ state: 'looking', domain: email.slice(email.lastIndexOf('@') + 1) });
    discover(email, controller.signal).then(
      (result) => {
        if (controller.signal.aborted) return;
        const applied = result.source !== null && !serversEdited.current;
        if (applied) setV((prev) => (prev.email.trim() === email ? withDiscovered(prev, result, userEdited.current) : prev));
        setDiscovery({ state: 'done', result, applied });
      },
      (err: unknown) => {
        // The person types the settings in, told why none were looked up (a bad POSTERN_DISCOVERY_DNS, say).
        if (!controller.signal.aborted) setDiscovery({ state: 'failed', domain: email.slice(email.lastIndexOf('@') + 1), message: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  function setEmail(email: string): void {
    setV((prev) => {
      const next = { ...prev, email };
      if (!userEdited.current) next.user = email;
      // Suggest server names from the domain while they are still empty or suggested.
      const domain = email.split('@')[1] ?? '';
      const prevDomain = prev.email.split('@')[1] ?? '';
      if (prev.imapHost === '' || prev.imapHost === prevDomain) next.imapHost = domain;
      if (prev.smtpHost === '' || prev.smtpHost === prevDomain) next.smtpHost = domain;
      return next;
    });
  }

  function setSecurity(kind: 'imap' | 'smtp', security: Security): void {
    serversEdited.current = true;
    setV((prev) => {
      const portKey = kind === 'imap' ? 'imapPort' : 'smtpPort';
      const secKey = kind === 'imap' ? 'imapSecurity' : 'smtpSecurity';
      const ports = kind === 'imap' ? DEFAULT_PORT[prev.incoming] : DEFAULT_PORT.smtp;
      const wasDefault = prev[portKey] === ports[prev[secKey]];
      return { ...prev, [secKey]: security, [portKey]: wasDefault ? ports[security] : prev[portKey] };
    });
  }

  /** IMAP or POP3: the incoming fields stay, a default port follows the protocol. */
  function setIncoming(incoming: Incoming): void {
    serversEdited.current = true;
    setV((prev) => {
      const wasDefault = prev.imapPort === DEFAULT_PORT[prev.incoming][prev.imapSecurity];
      return { ...prev, incoming, imapPort: wasDefault ? DEFAULT_PORT[incoming][prev.imapSecurity] : prev.imapPort };
    });
  }

  async function readCaFile(file: File | undefined): Promise<void> {
    setCaFileError(null);
    if (!file) return;
    if (file.size > 256 * 1024) {
      setCaFileError('That file is too large to be a certificate.');
      return;
    }
    const text = await file.text();
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      setCaFileError('That file does not contain a PEM certificate (-----BEGIN CERTIFICATE-----).');
      return;
    }
    set('ca', text);
  }

  function submit(e: FormEvent): void {
    e.preventDefault();
    const input: AccountAddInput = {
      name: v.name.trim() || v.email.trim(),
      email: v.email.trim(),
      user: v.user.trim(),
      ...(v.method === 'password' ? { password: v.password } : { oauth: oauthInput(v) }),
      smtp: { host: v.smtpHost.trim(), port: Number(v.smtpPort), security: v.smtpSecurity },
    };
    const incoming = { host: v.imapHost.trim(), port: Number(v.imapPort), security: v.imapSecurity };
    if (v.incoming === 'imap') input.imap = incoming;
    else {
      input.pop3 = incoming;
      const days = v.deleteAfterDays.trim() === '' ? null : Number(v.deleteAfterDays);
      const kib = v.previewOverKib.trim() === '' ? null : Number(v.previewOverKib);
      input.pop3_retention = {
        leave_on_server: v.leaveOnServer,
        delete_after_days: v.leaveOnServer ? days : null,
        delete_when_deleted_here: v.leaveOnServer && v.deleteWhenDeletedHere,
        preview_over_kib: kib !== null && kib > 0 ? kib : null,
      };
    }
    if (v.ca.trim()) input.ca_pem = v.ca.trim() + '\n';
    props.onSubmit(input);
  }

  const errField = props.error ? fieldForError(props.error) : null;
  const fieldError = (key: keyof Values) =>
    errField === key && props.error ? (
      <span className="field-error" role="alert" id={`err-${key}`} data-testid="account-field-error">
        {props.error.message}
      </span>
    ) : null;
  const invalid = (key: keyof Values) =>
    errField === key ? { 'aria-invalid': true as const, 'aria-describedby': `err-${key}` } : {};

  return (
    <form className="form account-form" onSubmit={submit} noValidate data-testid="account-form">
      <fieldset disabled={props.busy}>
        <div className="form-grid">
          <label className="field">
            <span>Your name</span>
            <input value={v.name} onChange={(e) => set('name', e.target.value)} autoComplete="name" placeholder="Alice Example" data-autofocus data-testid="account-name" {...invalid('name')} />
            {fieldError('name')}
          </label>
          <label className="field">
            <span>Email address</span>
            <input type="email" required value={v.email} onChange={(e) => setEmail(e.target.value)} onBlur={discoverSettings} autoComplete="email" placeholder="alice@example.com" data-testid="account-email" {...invalid('email')} />
            {fieldError('email')}
            <DiscoveryNote discovery={discovery} />
          </label>
          <label className="field">
            <span>User name</span>
            <input
              required
              value={v.user}
              onChange={(e) => {
                userEdited.current = true;
                set('user', e.target.value);
              }}
              autoComplete="username"
              data-testid="account-user"
              {...invalid('user')}
            />
            {fieldError('user')}
          </label>
        </div>
        <SignInFields
          values={v}
          onChange={(key, value) => setV((prev) => ({ ...prev, [key]: value }))}
          errorFor={(key) => fieldError(key === 'password' ? 'password' : 'clientId')}
          invalid={(key) => invalid(key === 'password' ? 'password' : 'clientId')}
        />

        <div className="segmented" role="radiogroup" aria-label="Incoming mail protocol" data-testid="account-incoming">
          <span className="segmented-label">Incoming:</span>
          {(['imap', 'pop3'] as const).map((kind) => (
            <label key={kind} className={`segmented-option${v.incoming === kind ? ' is-on' : ''}`}>
              <input type="radio" name="incoming" value={kind} checked={v.incoming === kind} onChange={() => setIncoming(kind)} data-testid={`account-incoming-${kind}`} />
              {kind === 'imap' ? 'IMAP' : 'POP3'}
            </label>
          ))}
        </div>
        <ServerFields
          legend={v.incoming === 'imap' ? 'Incoming mail (IMAP)' : 'Incoming mail (POP3)'}
          prefix="imap"
          host={v.imapHost}
          port={v.imapPort}
          security={v.imapSecurity}
          onHost={(x) => setServer('imapHost', x)}
          onPort={(x) => setServer('imapPort', x)}
          onSecurity={(x) => setSecurity('imap', x)}
          errorFor={fieldError}
          invalid={invalid}
        />
        {v.incoming === 'pop3' && (
          <fieldset className="server-fields pop3-retention" data-testid="account-pop3-retention">
            <legend>Mail on the POP3 server</legend>
            <label className="check">
              <input type="checkbox" checked={v.leaveOnServer} onChange={(e) => set('leaveOnServer', e.target.checked)} data-testid="account-pop3-leave" />
              Leave messages on the server
            </label>
            {v.leaveOnServer && (
              <>
                <label className="field field-inline">
                  <span>Delete from the server after (days, empty: never)</span>
                  <input inputMode="numeric" value={v.deleteAfterDays} onChange={(e) => set('deleteAfterDays', e.target.value.replace(/[^0-9]/g, ''))} data-testid="account-pop3-days" />
                </label>
                <label className="check">
                  <input type="checkbox" checked={v.deleteWhenDeletedHere} onChange={(e) => set('deleteWhenDeletedHere', e.target.checked)} data-testid="account-pop3-delete-here" />
                  Delete from the server what I delete for good here
                </label>
              </>
            )}
            <label className="field field-inline">
              <span>Download only a preview of messages over (KiB, empty: always whole)</span>
              <input inputMode="numeric" value={v.previewOverKib} onChange={(e) => set('previewOverKib', e.target.value.replace(/[^0-9]/g, ''))} data-testid="account-pop3-preview" />
            </label>
          </fieldset>
        )}
        <ServerFields
          legend="Outgoing mail (SMTP)"
          prefix="smtp"
          host={v.smtpHost}
          port={v.smtpPort}
          security={v.smtpSecurity}
          onHost={(x) => setServer('smtpHost', x)}
          onPort={(x) => setServer('smtpPort', x)}
          onSecurity={(x) => setSecurity('smtp', x)}
          errorFor={fieldError}
          invalid={invalid}
        />

        <details className="advanced" open={v.ca !== '' || errField === 'ca'}>
          <summary>Custom certificate authority (for a private server)</summary>
          <p className="hint">
            Paste the PEM certificate your server's certificate was issued by, or choose the file. Certificates are
            still checked; this only adds one you trust.
          </p>
          <label className="field">
            <span>CA certificate (PEM)</span>
            <textarea
              rows={4}
              value={v.ca}
              onChange={(e) => set('ca', e.target.value)}
              placeholder="-----BEGIN CERTIFICATE-----"
              spellCheck={false}
              data-testid="account-ca"
              {...invalid('ca')}
            />
          </label>
          <label className="field field-file">
            <span>…or read it from a file</span>
            <input type="file" accept=".pem,.crt,.cer,text/plain,application/x-pem-file" onChange={(e) => void readCaFile(e.target.files?.[0])} data-testid="account-ca-file" />
          </label>
          {caFileError && (
            <span className="field-error" role="alert">
              {caFileError}
            </span>
          )}
          {fieldError('ca')}
        </details>
      </fieldset>

      {props.error && errField === null && (
        <div className="form-error" role="alert" data-testid="account-form-error">
          {props.error.message !== ERROR_CODES[props.error.code] && <strong>{ERROR_CODES[props.error.code]}</strong>}
          <span className="error-message">{props.error.message}</span>
        </div>
      )}
      {props.busy && (
        <p className="form-progress" role="status" data-testid="account-form-progress">
          <span className="spinner" aria-hidden="true" /> {props.busyText}
        </p>
      )}
      <div className="form-actions">
        {props.onCancel && (
          <button type="button" className="button button-quiet" onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </button>
        )}
        <button type="submit" className="button button-primary" disabled={props.busy} data-testid="account-submit">
          {props.busy ? 'Connecting…' : 'Add account'}
        </button>
      </div>
    </form>
  );
}

/** The form with the found settings in place of the suggested ones. */
function withDiscovered(prev: Values, found: AccountDiscovery, userEdited: boolean): Values {
  const next = { ...prev };
  const incoming = found.imap ?? found.pop3;
  if (incoming) {
    next.incoming = found.imap ? 'imap' : 'pop3';
    next.imapHost = incoming.host;
    next.imapPort = String(incoming.port);
    next.imapSecurity = incoming.security;
  }
  if (found.smtp) {
    next.smtpHost = found.smtp.host;
    next.smtpPort = String(found.smtp.port);
    next.smtpSecurity = found.smtp.security;
  }
  if (found.user && !userEdited) next.user = found.user;
  return next;
}

const SOURCE_WORDS: Record<NonNullable<AccountDiscovery['source']>, (d: AccountDiscovery) => string> = {
  known: (d) => `Postern's list of providers (${d.provider ?? d.domain})`,
  domain: (d) => `${d.domain}'s own settings file`,
  srv: (d) => `${d.domain}'s DNS records for mail (SRV)`,
  ispdb: () => "Thunderbird's database of providers (ISPDB)",
  mx: (d) => (d.provider ? `the provider that receives ${d.domain}'s mail (${d.provider})` : `the database entry of the provider that receives ${d.domain}'s mail`),
};

/** The servers found whose host is neither the address's domain nor under it. */
function outsideDomain(d: AccountDiscovery): string[] {
  const hosts = [d.imap?.host, d.pop3?.host, d.smtp?.host].filter((h): h is string => h !== undefined);
  return [...new Set(hosts.filter((h) => h !== d.domain && !h.endsWith(`.${d.domain}`)))];
}

function DiscoveryNote({ discovery }: { discovery: Discovery }) {
  if (discovery.state === 'idle') return null;
  let text: string;
  if (discovery.state === 'looking') {
    text = `Looking up the server settings for ${discovery.domain}…`;
  } else if (discovery.state === 'failed') {
    text = `The server settings for ${discovery.domain} could not be looked up (${discovery.message}): type them in below.`;
  } else {
    const d = discovery.result;
    if (d.source === null) text = `No server settings found for ${d.domain}: type them in below.`;
    else if (!discovery.applied) text = `Settings found in ${SOURCE_WORDS[d.source](d)}; your own entries below are kept.`;
    else {
      text = `Server settings filled in from ${SOURCE_WORDS[d.source](d)}. Check them before adding the account.`;
      // DNS answers are not signed (RFC 6186 section 6): servers outside the domain are pointed out.
      const outside = d.source === 'srv' ? outsideDomain(d) : [];
      if (outside.length === 1) text += ` ${outside[0]} is not part of ${d.domain}: add the account only if you trust it.`;
      if (outside.length > 1) text += ` ${outside.join(', ')} are not part of ${d.domain}: add the account only if you trust them.`;
      if (d.oauth_provider) text += ` ${d.provider ?? 'This provider'} can also sign in with ${d.oauth_provider === 'google' ? 'Google' : 'Microsoft'} (OAuth 2.0).`;
    }
  }
  return (
    <span className="field-hint" role="status" data-testid="account-discovery">
      {text}
    </span>
  );
}

function ServerFields(props: {
  legend: string;
  prefix: 'imap' | 'smtp';
  host: string;
  port: string;
  security: Security;
  onHost: (v: string) => void;
  onPort: (v: string) => void;
  onSecurity: (v: Security) => void;
  errorFor: (key: keyof Values) => ReactNode;
  invalid: (key: keyof Values) => object;
}) {
  const p = props.prefix;
  const hostKey = p === 'imap' ? 'imapHost' : 'smtpHost';
  const portKey = p === 'imap' ? 'imapPort' : 'smtpPort';
  const secKey = p === 'imap' ? 'imapSecurity' : 'smtpSecurity';
  return (
    <fieldset className="server-fields">
      <legend>{props.legend}</legend>
      <div className="server-grid">
        <label className="field field-host">
          <span>Server</span>
          <input required value={props.host} onChange={(e) => props.onHost(e.target.value)} placeholder={`${p}.example.com`} spellCheck={false} autoCapitalize="off" data-testid={`account-${p}-host`} {...props.invalid(hostKey)} />
          {props.errorFor(hostKey)}
        </label>
        <label className="field field-port">
          <span>Port</span>
          <input required inputMode="numeric" value={props.port} onChange={(e) => props.onPort(e.target.value.replace(/[^0-9]/g, ''))} data-testid={`account-${p}-port`} {...props.invalid(portKey)} />
          {props.errorFor(portKey)}
        </label>
        <label className="field field-security">
          <span>Security</span>
          <select value={props.security} onChange={(e) => props.onSecurity(e.target.value === 'starttls' ? 'starttls' : 'tls')} data-testid={`account-${p}-security`} {...props.invalid(secKey)}>
            <option value="tls">TLS</option>
            <option value="starttls">STARTTLS</option>
          </select>
          {props.errorFor(secKey)}
        </label>
      </div>
    </fieldset>
  );
}

/** The OAuth part of the input: presets need only the client id; another provider its addresses and scopes too. */
function oauthInput(v: SignInValues): NonNullable<AccountAddInput['oauth']> {
  const provider = v.method === 'password' ? 'custom' : v.method;
  const secret = v.clientSecret.trim();
  return {
    provider,
    client_id: v.clientId.trim(),
    ...(secret ? { client_secret: secret } : {}),
    ...(provider === 'custom'
      ? { auth_url: v.authUrl.trim(), token_url: v.tokenUrl.trim(), scopes: v.scopes.split(/\s+/).filter(Boolean) }
      : {}),
  };
}
