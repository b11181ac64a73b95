/** Entry point: one IPC client for the window, then the app. */
import './ipc/zod-csp.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getClient } from './ipc/client.ts';
import { ClientProvider } from './state/client-context.tsx';
import { App } from './views/App.tsx';
import './styles/base.css';
import './styles/layout.css';
import './styles/panes.css';
import './styles/message.css';
import './styles/forms.css';
import './styles/actions.css';
import './styles/outbox.css';
import './styles/compose.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <ClientProvider client={getClient()}>
      <App />
    </ClientProvider>
  </StrictMode>,
);
