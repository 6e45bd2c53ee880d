import type { hearingZhCN } from './hearing.zh-CN.ts';

/** English for hearing.zh-CN.ts. */
export const hearingEn: Record<keyof typeof hearingZhCN, string> = {
  'hearing.badge': 'Judicial confirmation hearing',
  'hearing.title': 'Hearing',
  'hearing.hint': 'A video hearing with the parties. Each party opens their own link on their phone and waits in the waiting room until you let them in.',
  'hearing.start': 'Start hearing',
  'hearing.starting': 'Starting…',
  'hearing.newLinks': 'New links for the parties',
  'hearing.started': 'The hearing has started',
  'hearing.reused': 'The hearing is still open; the parties have new links',
  'hearing.links': "Parties' invitation links",
  'hearing.linksHint': 'Copy a link and send it by SMS or WeChat, or let the party scan the code with their phone. Links are shown only here, once.',
  'hearing.enter': 'Enter the hearing room',
  'hearing.page.title': 'Judicial confirmation hearing',
  'hearing.page.application': 'Application {id}',
};
