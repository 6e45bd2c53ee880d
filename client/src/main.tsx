import './zodConfig.ts';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles/base.css';
import './styles/console.css';
import './styles/caseloop.css';
import './styles/recordings.css';
import './styles/call.css';

// No StrictMode: the media services hold real devices and connections; a simulated
// unmount/remount would hang up the call that the user just started.
createRoot(document.getElementById('root')!).render(<App />);
