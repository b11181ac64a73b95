/** Builds the engine in this thread: service + dispatcher. */
import { createDispatcher, EventHub } from './dispatcher.ts';
import { MailService } from './mail-service.ts';
import type { CredentialStore } from '../accounts/credentials.ts';
import { createLogger, type Logger } from '../common/log.ts';
import type { Dispatcher } from './dispatcher-types.ts';
import type { MigrationStep } from '../store/database.ts';

export interface InProcessEngine {
  dispatcher: Dispatcher;
  service: MailService;
}

export function createInProcessEngine(options: {
  profileDir: string;
  credentials: CredentialStore;
  logger?: Logger;
  credentialHint?: { envVariable?: string };
  downloadsDir?: string | undefined;
  onMigration?: ((step: MigrationStep) => void) | undefined;
}): InProcessEngine {
  const events = new EventHub();
  const logger = options.logger ?? createLogger({ component: 'engine' });
  const service = new MailService({ ...options, events, logger });
  const dispatcher = createDispatcher(service.handlers(), events, logger, async () => service.close());
  return { dispatcher, service };
}
