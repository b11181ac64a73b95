/** The composer dialog wired to mail:send and the send progress events. */
import type { AccountSummary, Progress, SendResult } from '../../src-protocol/contract/index.ts';
import { Composer } from '../components/Composer.tsx';
import { Modal } from '../components/Modal.tsx';
import { phaseInWords } from '../components/StatusBar.tsx';
import { useSend } from '../state/use-send.ts';

export interface ComposerViewProps {
  accounts: ReadonlyArray<AccountSummary>;
  defaultAccountId: string | null;
  progress: ReadonlyArray<Progress>;
  onSent: (accountId: string, result: SendResult) => void;
  onClose: () => void;
}

function progressText(p: Progress | undefined): string | null {
  if (!p) return null;
  const words = phaseInWords(p.phase);
  return `Sending: ${words.charAt(0).toUpperCase()}${words.slice(1)}…`;
}

export function ComposerView(props: ComposerViewProps) {
  const { status, send } = useSend();
  const sending = status.state === 'sending';
  const current = sending ? props.progress.find((p) => p.task === 'send') : undefined;

  return (
    <Modal title="New message" onClose={sending ? null : props.onClose} className="modal-composer" testId="composer-dialog">
      <Composer
        accounts={props.accounts}
        defaultAccountId={props.defaultAccountId}
        sending={sending}
        progressText={progressText(current)}
        error={status.state === 'error' ? status.error : null}
        onSend={(input) => {
          void send(input).then((result) => {
            if (result) props.onSent(input.account_id, result);
          });
        }}
        onClose={props.onClose}
      />
    </Modal>
  );
}
