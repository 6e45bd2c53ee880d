import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { turnPassword } from '../../server/signalling/turnCredentials.ts';
import { launchChromium, screenshot } from '../helpers/browser.ts';
import { allocate, startCoturn, type Coturn } from '../helpers/coturn.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { mediaFlowing, selectedPairs } from '../helpers/roomStats.ts';
import { roomPages, staffLogin } from '../helpers/roomPages.ts';

/*
 * Through a firewall that lets nothing but TURN out, in Chromium: a real coturn on loopback, the
 * server configured with it, and both pages (mediator, party) forced to relay-only ICE. They decode
 * each other's media, and the pair each transport selected has a relay candidate on the browser's
 * side (over UDP, then over TCP to coturn as from an office that blocks outbound UDP). coturn
 * accepts the minted credential and refuses a wrong or expired one.
 *
 * Relay-only is forced by the test, not by the product: an init script wraps RTCPeerConnection so
 * every configuration the client passes gets `iceTransportPolicy: 'relay'` (the iceServers are the
 * server's, untouched). Direct candidates to the SFU are thereby never tried, as behind such a firewall.
 */

/**
 * Runs in the page before any script: RTCPeerConnection, relay-only, recording what it was given.
 * A string, not a function: tsx's transform would leave a helper (`__name`) the page does not have.
 */
const FORCE_RELAY_ONLY = `(() => {
  const Native = window.RTCPeerConnection;
  const seen = [];
  window.__pcConfigs = seen;
  class RelayOnly extends Native {
    constructor(configuration) {
      seen.push(configuration || {});
      super({ ...configuration, iceTransportPolicy: 'relay' });
    }
    setConfiguration(configuration) {
      return super.setConfiguration({ ...configuration, iceTransportPolicy: 'relay' });
    }
  }
  window.RTCPeerConnection = RelayOnly;
})();`;

const relayOnly = async (page: Page): Promise<void> => {
  await page.addInitScript(FORCE_RELAY_ONLY);
};

async function assertRelayed(page: Page, who: string, relayProtocol: 'udp' | 'tcp' | 'tls', relayAddress = '127.0.0.1') {
  const pairs = await selectedPairs(page);
  assert.deepEqual(
    pairs.map((p) => p.direction).sort(),
    ['recv', 'send'],
    `${who}: both transports have a selected, succeeded pair (${JSON.stringify(pairs)})`,
  );
  for (const { direction, local, remote } of pairs) {
    assert.equal(local['candidateType'], 'relay', `${who} ${direction}: the local candidate is coturn's relay (${JSON.stringify(local)})`);
    assert.equal(local['relayProtocol'], relayProtocol, `${who} ${direction}: reached coturn over ${relayProtocol}`);
    assert.equal(local['address'] ?? local['ip'], relayAddress);
    // The other end is the SFU's own candidate (mediasoup is ICE-lite: host candidates only).
    assert.equal(remote['candidateType'], 'host', `${who} ${direction}: the remote candidate is the SFU's`);
  }
}

/** The RTCPeerConnections of the page got the server's TURN servers, with a minted username. */
async function assertTurnConfigured(page: Page, who: string, urls: string[]) {
  const configs = await page.evaluate(() => (window as unknown as { __pcConfigs: RTCConfiguration[] }).__pcConfigs);
  const withTurn = configs.filter((c) => (c.iceServers ?? []).length > 0);
  assert.ok(withTurn.length >= 2, `${who}: both transports were created with iceServers (${JSON.stringify(configs.map((c) => c.iceServers?.length ?? 0))})`);
  for (const c of withTurn) {
    const [server] = c.iceServers!;
    assert.deepEqual(server!.urls, urls);
    assert.match(String(server!.username), /^\d{10}:(user|invitation):/);
  }
}

describe('TURN relay in Chromium', () => {
  let browser: Browser;
  let coturn: Coturn;
  /** Also TURN over TLS on 443, with a self-signed certificate. */
  let tlsCoturn: Coturn;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    [browser, coturn, tlsCoturn] = await Promise.all([
      // coturn's certificate is self-signed: Chromium's TURN/TLS client checks it like any other.
      launchChromium({ args: ['--ignore-certificate-errors'] }),
      startCoturn(),
      startCoturn({ tls: { port: 443 } }),
    ]);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await coturn?.stop();
    await tlsCoturn?.stop();
  });

  /** A mediator and an admitted party, both relay-only, on a server whose TURN is `urls`. */
  async function relayedCall(server: FullServer) {
    const pages = roomPages(browser, contexts, () => server.baseUrl);
    const { token, session } = await server.mediatorWithSession();
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const m = await pages.mediatorPage(session.id, await staffLogin(server, token), { prepare: relayOnly });
    const a = await pages.inviteePage(inv.url, true, relayOnly);
    await a.page.getByTestId('lobby').waitFor();
    await m.page.getByTestId('admit').click();
    await a.page.getByTestId('lobby').waitFor({ state: 'detached' });
    return { m, a };
  }

  for (const transport of ['udp', 'tcp'] as const) {
    test(`relay-only over TURN/${transport.toUpperCase()}: mediator and party decode each other, through coturn's relay`, async () => {
      const urls = [`turn:127.0.0.1:${coturn.port}?transport=${transport}`];
      const logFrom = coturn.log().length;
      const server = await startFullServer({ env: { TURN_URLS: urls.join(','), TURN_SECRET: coturn.secret } });
      try {
        const { m, a } = await relayedCall(server);
        try {
          await mediaFlowing(m.page, `mediator (relay-only, TURN/${transport})`);
          await mediaFlowing(a.page, `party (relay-only, TURN/${transport})`);
        } catch (error) {
          await screenshot(m.page, `turn-${transport}-mediator`).catch(() => undefined);
          await screenshot(a.page, `turn-${transport}-party`).catch(() => undefined);
          throw new Error(`${(error as Error).message}\ncoturn log:\n${coturn.log().slice(-3000)}`, { cause: error });
        }
        await assertTurnConfigured(m.page, 'mediator', urls);
        await assertTurnConfigured(a.page, 'party', urls);
        await assertRelayed(m.page, 'mediator', transport);
        await assertRelayed(a.page, 'party', transport);
        // …and coturn allocated those relays with the credentials minted for each of them.
        for (const kind of ['user', 'invitation']) {
          assert.match(
            coturn.log().slice(logFrom),
            new RegExp(`user <\\d{10}:${kind}:[^>]+>: incoming packet ALLOCATE processed, success`),
            `coturn allocated for a ${kind}`,
          );
        }
        for (const c of contexts.splice(0)) await c.close();
      } finally {
        await server.close();
      }
    });
  }

  test("relay-only over TURN/TLS on 443 (the only URL offered): mediator and party decode each other, through coturn's relay", async () => {
    const urls = [`turns:${tlsCoturn.host}:${tlsCoturn.tlsPort}?transport=tcp`];
    const logFrom = tlsCoturn.log().length;
    const server = await startFullServer({ env: { TURN_URLS: urls.join(','), TURN_SECRET: tlsCoturn.secret } });
    try {
      const { m, a } = await relayedCall(server);
      try {
        await mediaFlowing(m.page, 'mediator (relay-only, TURN/TLS)');
        await mediaFlowing(a.page, 'party (relay-only, TURN/TLS)');
      } catch (error) {
        await screenshot(m.page, 'turn-tls-mediator').catch(() => undefined);
        await screenshot(a.page, 'turn-tls-party').catch(() => undefined);
        throw new Error(`${(error as Error).message}\ncoturn log:\n${tlsCoturn.log().slice(-3000)}`, { cause: error });
      }
      await assertTurnConfigured(m.page, 'mediator', urls);
      await assertTurnConfigured(a.page, 'party', urls);
      await assertRelayed(m.page, 'mediator', 'tls', tlsCoturn.host);
      await assertRelayed(a.page, 'party', 'tls', tlsCoturn.host);
      const log = tlsCoturn.log().slice(logFrom);
      for (const kind of ['user', 'invitation']) {
        assert.match(log, new RegExp(`user <\\d{10}:${kind}:[^>]+>: incoming packet ALLOCATE processed, success`), `coturn allocated for a ${kind}`);
      }
      // Each relay candidate came from the turns: URL on 443.
      for (const page of [m.page, a.page]) {
        for (const { local } of await selectedPairs(page)) assert.equal(local['url'], urls[0], `relay candidate from ${urls[0]} (${JSON.stringify(local)})`);
      }
    } finally {
      // Pages first: a server closing under connected pages would wait for them.
      for (const c of contexts.splice(0)) await c.close();
      await server.close();
    }
  });

  test('coturn allocates with a minted credential, refuses a wrong or expired one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = `${now + 3600}:invitation:turn-e2e`;
    assert.equal(await allocate(coturn.port, fresh, turnPassword(coturn.secret, fresh)), 'allocated');
    assert.equal(await allocate(coturn.port, fresh, turnPassword(`${coturn.secret}-not-it`, fresh)), 401, 'wrong secret');
    assert.equal(await allocate(coturn.port, fresh, turnPassword(coturn.secret, `${now + 7200}:invitation:turn-e2e`)), 401, 'password of another username');
    const expired = `${now - 60}:invitation:turn-e2e`;
    assert.equal(await allocate(coturn.port, expired, turnPassword(coturn.secret, expired)), 401, 'expired');
  });
});
